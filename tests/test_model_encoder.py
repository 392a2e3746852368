"""DINOv2 encoder: checkpoint loading in the official / HF / block-chunk namings, clear errors."""
import pytest
import torch

from model.config import VIT_TINY, EncoderConfig
from model.encoder import DinoV2, load_encoder_weights, prepare_images, to_official_naming

torch.set_num_threads(1)  # see test_model_policy.py


def _official_sd(seed=0):
    torch.manual_seed(seed)
    enc = DinoV2(VIT_TINY)
    with torch.no_grad():
        for p in enc.parameters():
            p.normal_()
    return {k: v.clone() for k, v in enc.state_dict().items()}


def test_official_names_are_the_release_names():
    keys = set(DinoV2(VIT_TINY).state_dict())
    for k in ["cls_token", "register_tokens", "pos_embed", "mask_token", "patch_embed.proj.weight",
              "patch_embed.proj.bias", "blocks.1.norm1.weight", "blocks.1.attn.qkv.weight",
              "blocks.1.attn.proj.bias", "blocks.1.ls1.gamma", "blocks.1.norm2.bias", "blocks.1.mlp.fc1.weight",
              "blocks.1.mlp.fc2.bias", "blocks.1.ls2.gamma", "norm.weight", "norm.bias"]:
        assert k in keys, k
    assert DinoV2(VIT_TINY).state_dict()["register_tokens"].shape == (1, 4, 32)


def _to_hf(sd):
    hf = {}
    for k, v in sd.items():
        if k.startswith("blocks."):
            _, n, rest = k.split(".", 2)
            if rest.startswith("attn.qkv."):
                kind = rest.rsplit(".", 1)[1]
                for name, part in zip(("query", "key", "value"), v.chunk(3)):
                    hf[f"encoder.layer.{n}.attention.attention.{name}.{kind}"] = part
                continue
            rest = (rest.replace("attn.proj.", "attention.output.dense.").replace("ls1.gamma", "layer_scale1.lambda1")
                    .replace("ls2.gamma", "layer_scale2.lambda1"))
            hf[f"encoder.layer.{n}.{rest}"] = v
        elif k.startswith("norm."):
            hf["layernorm." + k[5:]] = v
        elif k.startswith("patch_embed.proj."):
            hf["embeddings.patch_embeddings.projection." + k.rsplit(".", 1)[1]] = v
        else:
            hf["embeddings." + {"pos_embed": "position_embeddings"}.get(k, k)] = v.reshape(1, 1, -1) if k == "mask_token" else v
    return hf


@pytest.mark.parametrize("naming", ["official", "hf", "chunked", "wrapped"])
def test_loader_maps_namings(tmp_path, naming):
    sd = _official_sd()
    if naming == "hf":
        src = _to_hf(sd)
    elif naming == "chunked":  # official block_chunks=2: blocks.<chunk>.<n>.
        src = {k.replace("blocks.0.", "blocks.0.0.").replace("blocks.1.", "blocks.1.1."): v for k, v in sd.items()}
    elif naming == "wrapped":
        src = {"model": {"backbone." + k: v for k, v in sd.items()}}
    else:
        src = sd
    path = tmp_path / "w.pth"
    torch.save(src, path)
    enc = DinoV2(VIT_TINY)
    load_encoder_weights(enc, path)
    for k, v in enc.state_dict().items():
        torch.testing.assert_close(v, sd[k], msg=k)


def test_hf_mapping_rebuilds_qkv_in_q_k_v_order():
    sd = _official_sd()
    back = to_official_naming(_to_hf(sd))
    torch.testing.assert_close(back["blocks.0.attn.qkv.weight"], sd["blocks.0.attn.qkv.weight"])


def test_missing_file_and_wrong_shape_are_clear(tmp_path):
    with pytest.raises(FileNotFoundError, match="not found"):
        load_encoder_weights(DinoV2(VIT_TINY), tmp_path / "nope.pth")
    sd = _official_sd()
    torch.save(sd, tmp_path / "w.pth")
    other = DinoV2(EncoderConfig(dim=32, depth=2, heads=2, pos_grid=5))
    with pytest.raises(ValueError, match="'pos_embed'"):
        load_encoder_weights(other, tmp_path / "w.pth")
    del sd["blocks.1.mlp.fc2.bias"]
    torch.save(sd, tmp_path / "w2.pth")
    with pytest.raises(KeyError, match="blocks.1.mlp.fc2.bias"):
        load_encoder_weights(DinoV2(VIT_TINY), tmp_path / "w2.pth")


def test_pos_embed_interpolation_and_padding():
    enc = DinoV2(VIT_TINY).eval()
    assert enc.interpolate_pos_embed(4, 4) is enc.pos_embed
    assert enc.interpolate_pos_embed(32, 38).shape == (1, 1 + 32 * 38, 32)
    x = prepare_images(torch.zeros(1, 436, 524, 3, dtype=torch.uint8), "pad", 14)
    assert x.shape[-2:] == (448, 532) and float(x[..., 436:, :].abs().sum()) == 0.0
    assert prepare_images(torch.zeros(1, 436, 524, 3, dtype=torch.uint8), "crop", 14).shape[-2:] == (434, 518)
    assert enc(x).shape == (1, 32, 32, 38)
