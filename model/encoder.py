"""DINOv2 with registers (Oquab et al. 2024; Darcet et al. 2024) in plain torch.

Module names follow the official DINOv2 release so that its state dicts load
as they are (`cls_token, register_tokens, pos_embed, mask_token,
patch_embed.proj.*, blocks.N.{norm1,attn.qkv,attn.proj,ls1.gamma,norm2,
mlp.fc1,mlp.fc2,ls2.gamma}, norm.*`). `load_encoder_weights` also maps the
Hugging Face `Dinov2WithRegisters` naming and the official "block chunks"
naming (`blocks.C.N.`). timm is not used: it is not importable beside CPU torch
here (see shared/notes).
"""
from __future__ import annotations

import re
from pathlib import Path

import torch
import torch.nn as nn
import torch.nn.functional as F

from model.config import EncoderConfig

IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)


class PatchEmbed(nn.Module):
    def __init__(self, cfg: EncoderConfig):
        super().__init__()
        self.proj = nn.Conv2d(3, cfg.dim, kernel_size=cfg.patch, stride=cfg.patch)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.proj(x)  # (B, D, H/14, W/14)


class Attention(nn.Module):
    def __init__(self, cfg: EncoderConfig):
        super().__init__()
        self.heads = cfg.heads
        self.qkv = nn.Linear(cfg.dim, 3 * cfg.dim)
        self.proj = nn.Linear(cfg.dim, cfg.dim)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        B, N, D = x.shape
        qkv = self.qkv(x).view(B, N, 3, self.heads, D // self.heads).permute(2, 0, 3, 1, 4)
        y = F.scaled_dot_product_attention(qkv[0], qkv[1], qkv[2])  # (B, h, N, hd)
        return self.proj(y.transpose(1, 2).reshape(B, N, D))


class LayerScale(nn.Module):
    def __init__(self, dim: int, init: float):
        super().__init__()
        self.gamma = nn.Parameter(torch.full((dim,), init))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x * self.gamma


class Mlp(nn.Module):
    def __init__(self, dim: int, hidden: int):
        super().__init__()
        self.fc1 = nn.Linear(dim, hidden)
        self.fc2 = nn.Linear(hidden, dim)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.fc2(F.gelu(self.fc1(x)))


class Block(nn.Module):
    def __init__(self, cfg: EncoderConfig):
        super().__init__()
        self.norm1 = nn.LayerNorm(cfg.dim, eps=cfg.eps)
        self.attn = Attention(cfg)
        self.ls1 = LayerScale(cfg.dim, cfg.layerscale_init)
        self.norm2 = nn.LayerNorm(cfg.dim, eps=cfg.eps)
        self.mlp = Mlp(cfg.dim, int(cfg.dim * cfg.mlp_ratio))
        self.ls2 = LayerScale(cfg.dim, cfg.layerscale_init)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = x + self.ls1(self.attn(self.norm1(x)))
        return x + self.ls2(self.mlp(self.norm2(x)))


class DinoV2(nn.Module):
    """ViT/14 with registers. forward(img float[B,3,H,W], H,W multiples of 14) -> patch grid."""

    def __init__(self, cfg: EncoderConfig):
        super().__init__()
        self.cfg = cfg
        self.patch_embed = PatchEmbed(cfg)
        self.cls_token = nn.Parameter(torch.zeros(1, 1, cfg.dim))
        self.register_tokens = nn.Parameter(torch.zeros(1, cfg.n_registers, cfg.dim))
        self.pos_embed = nn.Parameter(torch.zeros(1, 1 + cfg.pos_grid**2, cfg.dim))
        # Unused here (masked-image pre-training); a buffer, not a parameter, so that DDP does not
        # wait for its gradient, yet still in the state dict so official checkpoints load strictly.
        self.register_buffer("mask_token", torch.zeros(1, cfg.dim))
        self.blocks = nn.ModuleList(Block(cfg) for _ in range(cfg.depth))
        self.norm = nn.LayerNorm(cfg.dim, eps=cfg.eps)
        self._init_weights()

    def _init_weights(self) -> None:
        # As the official code: trunc-normal 0.02 pos_embed/linears, cls 1e-6, registers 1e-6.
        nn.init.trunc_normal_(self.pos_embed, std=0.02)
        nn.init.normal_(self.cls_token, std=1e-6)
        nn.init.normal_(self.register_tokens, std=1e-6)
        for m in self.modules():
            if isinstance(m, nn.Linear):
                nn.init.trunc_normal_(m.weight, std=0.02)
                nn.init.zeros_(m.bias)

    def interpolate_pos_embed(self, gh: int, gw: int) -> torch.Tensor:
        """pos_embed (1, 1+G*G, D) -> (1, 1+gh*gw, D), bicubic on the patch part."""
        cls_pos, patch_pos = self.pos_embed[:, :1], self.pos_embed[:, 1:]
        G = self.cfg.pos_grid
        if (gh, gw) == (G, G):
            return self.pos_embed
        grid = patch_pos.reshape(1, G, G, -1).permute(0, 3, 1, 2)  # (1, D, G, G)
        grid = F.interpolate(grid.float(), size=(gh, gw), mode="bicubic", align_corners=False)
        patch_pos = grid.to(patch_pos.dtype).permute(0, 2, 3, 1).reshape(1, gh * gw, -1)
        return torch.cat([cls_pos, patch_pos], dim=1)

    def forward(self, img: torch.Tensor) -> torch.Tensor:
        x = self.patch_embed(img)  # (B, D, gh, gw)
        B, D, gh, gw = x.shape
        x = x.flatten(2).transpose(1, 2)  # (B, gh*gw, D)
        x = torch.cat([self.cls_token.expand(B, -1, -1), x], dim=1)
        x = x + self.interpolate_pos_embed(gh, gw)
        # Registers go after cls and carry no position (official order).
        x = torch.cat([x[:, :1], self.register_tokens.expand(B, -1, -1), x[:, 1:]], dim=1)
        for blk in self.blocks:
            x = blk(x)
        x = self.norm(x)
        patches = x[:, 1 + self.cfg.n_registers :]  # (B, gh*gw, D)
        return patches.transpose(1, 2).reshape(B, D, gh, gw)


def prepare_images(frames: torch.Tensor, pad_mode: str, patch: int) -> torch.Tensor:
    """uint8[N,H,W,3] -> float[N,3,H',W'] normalised, H',W' multiples of `patch`.

    "pad": zero-pad right/bottom after normalisation (see model/config.py); "crop": drop the remainder.
    """
    x = frames.permute(0, 3, 1, 2).float().div_(255.0)
    mean = x.new_tensor(IMAGENET_MEAN).view(1, 3, 1, 1)
    std = x.new_tensor(IMAGENET_STD).view(1, 3, 1, 1)
    x = (x - mean) / std
    H, W = x.shape[-2:]
    if pad_mode == "pad":
        ph, pw = (-H) % patch, (-W) % patch
        return F.pad(x, (0, pw, 0, ph)) if ph or pw else x
    if pad_mode == "crop":
        return x[..., : H - H % patch, : W - W % patch]
    raise ValueError(f"pad_mode must be 'pad' or 'crop', got {pad_mode!r}")


# ---------------------------------------------------------------- checkpoint loading

_HF_MAP = [
    (r"^embeddings\.cls_token$", "cls_token"),
    (r"^embeddings\.mask_token$", "mask_token"),
    (r"^embeddings\.register_tokens$", "register_tokens"),
    (r"^embeddings\.position_embeddings$", "pos_embed"),
    (r"^embeddings\.patch_embeddings\.projection\.", "patch_embed.proj."),
    (r"^encoder\.layer\.(\d+)\.norm1\.", r"blocks.\1.norm1."),
    (r"^encoder\.layer\.(\d+)\.norm2\.", r"blocks.\1.norm2."),
    (r"^encoder\.layer\.(\d+)\.attention\.output\.dense\.", r"blocks.\1.attn.proj."),
    (r"^encoder\.layer\.(\d+)\.layer_scale1\.lambda1$", r"blocks.\1.ls1.gamma"),
    (r"^encoder\.layer\.(\d+)\.layer_scale2\.lambda1$", r"blocks.\1.ls2.gamma"),
    (r"^encoder\.layer\.(\d+)\.mlp\.fc1\.", r"blocks.\1.mlp.fc1."),
    (r"^encoder\.layer\.(\d+)\.mlp\.fc2\.", r"blocks.\1.mlp.fc2."),
    (r"^layernorm\.", "norm."),
]
_HF_QKV = re.compile(r"^encoder\.layer\.(\d+)\.attention\.attention\.(query|key|value)\.(weight|bias)$")


def to_official_naming(sd: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
    """Map HF `Dinov2WithRegisters` / block-chunked / wrapped names to the official naming."""
    sd = {re.sub(r"^(module\.|backbone\.|dinov2\.|model\.)+", "", k): v for k, v in sd.items()}
    out: dict[str, torch.Tensor] = {}
    qkv: dict[tuple[str, str], dict[str, torch.Tensor]] = {}
    for k, v in sd.items():
        m = _HF_QKV.match(k)
        if m:
            qkv.setdefault((m.group(1), m.group(3)), {})[m.group(2)] = v
            continue
        k = re.sub(r"^blocks\.\d+\.(\d+)\.", r"blocks.\1.", k)  # official block_chunks > 0
        for pat, rep in _HF_MAP:
            k2 = re.sub(pat, rep, k)
            if k2 != k:
                k = k2
                break
        out[k] = v
    for (layer, kind), parts in qkv.items():
        missing = {"query", "key", "value"} - set(parts)
        if missing:
            raise KeyError(f"layer {layer} {kind}: HF checkpoint lacks {sorted(missing)}")
        out[f"blocks.{layer}.attn.qkv.{kind}"] = torch.cat([parts["query"], parts["key"], parts["value"]])
    if "mask_token" in out and out["mask_token"].dim() == 3:  # HF stores (1, 1, D)
        out["mask_token"] = out["mask_token"].reshape(1, -1)
    return out


def load_encoder_weights(enc: DinoV2, path: str | Path) -> None:
    """Load a local DINOv2-with-registers checkpoint (official or HF naming) into `enc`.

    Errors name the offending key: missing/unexpected keys or a shape mismatch
    (e.g. a ViT-B checkpoint given to a ViT-S model).
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"encoder checkpoint not found: {path}")
    if path.suffix == ".safetensors":
        from safetensors.torch import load_file  # optional dependency, only for this format

        sd = load_file(str(path))
    else:
        sd = torch.load(path, map_location="cpu", weights_only=True)
    for wrapper in ("model", "state_dict", "teacher"):
        if isinstance(sd, dict) and wrapper in sd and isinstance(sd[wrapper], dict):
            sd = sd[wrapper]
    sd = to_official_naming(sd)
    own = enc.state_dict()
    missing = sorted(set(own) - set(sd) - {"mask_token"})
    unexpected = sorted(set(sd) - set(own))
    if missing or unexpected:
        raise KeyError(f"{path}: missing keys {missing[:8]} unexpected keys {unexpected[:8]}")
    for k, v in sd.items():
        if v.shape != own[k].shape:
            raise ValueError(
                f"{path}: key {k!r} has shape {tuple(v.shape)}, model expects {tuple(own[k].shape)} "
                f"(encoder dim={enc.cfg.dim}, depth={enc.cfg.depth}, pos_grid={enc.cfg.pos_grid})"
            )
    enc.load_state_dict(sd, strict=False)  # strict apart from the optional mask_token


def encoder_param_count(cfg: EncoderConfig) -> int:
    """Analytic parameter count (used to check the big presets without allocating them)."""
    D, hidden = cfg.dim, int(cfg.dim * cfg.mlp_ratio)
    per_block = 4 * D + (3 * D * D + 3 * D) + (D * D + D) + 2 * D + (D * hidden + hidden) + (hidden * D + D)
    embed = 3 * cfg.patch**2 * D + D + D + cfg.n_registers * D + (1 + cfg.pos_grid**2) * D  # conv, bias, cls, regs, pos
    return embed + cfg.depth * per_block + 2 * D

