"""Policy: block-causal mask, KV-cache decode, shapes and sizes of every preset, learning one batch."""
import pytest
import torch

from model.config import PRESETS, preset
from model.encoder import encoder_param_count
from model.policy import DecodeState, Policy, block_causal_mask

# Tiny tensors: one thread. With 2 threads on a loaded 2-core machine OpenMP barriers made these
# tests 20x slower (40 s vs 1.5 s measured).
torch.set_num_threads(1)


def _batch(cfg, B=2, T=4, seed=0):
    g = torch.Generator().manual_seed(seed)
    frames = torch.randint(0, 256, (B, T, cfg.img_h, cfg.img_w, 3), dtype=torch.uint8, generator=g)
    xb = torch.randint(0, cfg.n_xbins, (B, T), generator=g)
    yb = torch.randint(0, cfg.n_ybins, (B, T), generator=g)
    return frames, xb, yb


@pytest.fixture(scope="module")
def tiny():
    torch.manual_seed(0)
    return Policy(preset("tiny", context_frames=4)).eval()


def test_mask_structure():
    P, C = 3, 6  # chunk = lead, cls, 3 image tokens, cls
    m = block_causal_mask(3, P)
    assert m.shape == (18, 18)
    for f in range(3):
        img = [f * C + 2 + i for i in range(P)]
        for a in img:  # a frame's image tokens see each other (both directions)
            for b in img:
                assert m[a, b]
        for a in range(f * C):  # earlier tokens never see this frame
            for b in img + [f * C, f * C + 1, f * C + 5]:
                assert not m[a, b]
    assert not m[1, 2]  # the [cls] before an image does not see it
    assert m[5, 2] and m[5, 4]  # the predicting [cls] sees the whole frame


def test_later_frames_never_change_earlier_predictions(tiny):
    cfg = tiny.cfg
    frames, xb, yb = _batch(cfg)
    lx, ly, _ = tiny(frames, xb, yb)
    frames2, xb2, yb2 = frames.clone(), xb.clone(), yb.clone()
    frames2[:, 2:] = 255 - frames2[:, 2:]  # change frames 2, 3
    xb2[:, 2:] = (xb2[:, 2:] + 7) % cfg.n_xbins  # and clicks 2, 3 (inputs to frame 3's prediction)
    lx2, ly2, _ = tiny(frames2, xb2, yb2)
    torch.testing.assert_close(lx2[:, :2], lx[:, :2])
    torch.testing.assert_close(ly2[:, :2], ly[:, :2])
    assert not torch.allclose(lx2[:, 2], lx[:, 2])


def test_image_tokens_see_each_other(tiny):
    """Perturbing the *last* image token of a frame changes the hidden state of its *first* one,
    and changes nothing before the frame."""
    cfg, P = tiny.cfg, tiny.cfg.tokens_per_frame
    frames, xb, yb = _batch(cfg, B=1, T=2)
    img = tiny.embed_frames(frames.flatten(0, 1)).view(1, 2, P, cfg.n_embd)
    lead = tiny.leads(1, xb[:, :1], yb[:, :1])
    seq = tiny.assemble(img, lead)
    L = seq.shape[1]
    pos, mask = torch.arange(L), tiny.mask(2, "cpu")
    h = tiny.run_blocks(seq, pos, mask)
    seq2 = seq.clone()
    last_img_f1 = (P + 3) + 2 + P - 1
    seq2[0, last_img_f1] += torch.randn(cfg.n_embd, generator=torch.Generator().manual_seed(1))  # not a constant: LayerNorm would cancel it
    h2 = tiny.run_blocks(seq2, pos, mask)
    first_img_f1 = (P + 3) + 2
    assert not torch.allclose(h[0, first_img_f1], h2[0, first_img_f1])
    torch.testing.assert_close(h[0, : P + 3 + 2], h2[0, : P + 3 + 2])


def test_kv_cache_equals_full_recompute_with_window_slide(tiny):
    cfg = tiny.cfg
    frames, xb, yb = _batch(cfg, B=2, T=7)  # 7 frames > context 4: exercises the slide
    st = DecodeState()
    for t in range(7):
        ox, oy = tiny.step(st, frames[:, t], None if t == 0 else (xb[:, t - 1], yb[:, t - 1]))
        s = max(0, t + 1 - cfg.context_frames)
        fx, fy, _ = tiny(frames[:, s : t + 1], xb[:, s : t + 1], yb[:, s : t + 1])
        torch.testing.assert_close(ox, fx[:, -1], atol=1e-5, rtol=1e-5)
        torch.testing.assert_close(oy, fy[:, -1], atol=1e-5, rtol=1e-5)


def test_padding_steps_do_not_count(tiny):
    frames, xb, yb = _batch(tiny.cfg)
    valid = torch.tensor([[True, True, False, False]] * 2)
    _, _, loss = tiny(frames, xb, yb, valid)
    xb2 = xb.clone()
    xb2[:, 2:] = 0
    _, _, loss2 = tiny(frames, xb2, yb, valid)
    torch.testing.assert_close(loss, loss2)


# Our totals with the paper's dims (see model/config.py for why they differ from Table 4b).
EXPECTED_M = {"very_small": 25.97, "small": 33.93, "base": 113.76, "large": 392.96}
ENCODER_M = {"vits14": 22.06, "vitb14": 86.58, "vitl14": 304.37}  # Table 4a: 22M, 86M, 304M


@pytest.mark.parametrize("name", list(EXPECTED_M))
def test_preset_sizes_and_shapes_on_meta(name):
    cfg = PRESETS[name]
    with torch.device("meta"):  # no memory: the large preset is never allocated
        m = Policy(cfg)
        total = sum(p.numel() for p in m.parameters())
        enc = sum(p.numel() for p in m.encoder.parameters())
        lx, ly, loss = m(torch.zeros(1, 2, 436, 524, 3, dtype=torch.uint8),
                         torch.zeros(1, 2, dtype=torch.long), torch.zeros(1, 2, dtype=torch.long))
    assert enc == encoder_param_count(cfg.encoder)
    assert abs(total / 1e6 - EXPECTED_M[name]) < 0.01
    assert lx.shape == (1, 2, 524) and ly.shape == (1, 2, 436) and loss.shape == ()
    assert (cfg.n_embd, cfg.n_layer, cfg.n_head) == {
        "very_small": (256, 4, 4), "small": (384, 6, 6), "base": (512, 8, 8), "large": (768, 12, 12)}[name]
    assert cfg.seq_len(20) == 20 * (108 + 3)


def test_encoder_param_counts_match_table_4a():
    from model.config import ENCODERS

    for k, m in ENCODER_M.items():
        assert abs(encoder_param_count(ENCODERS[k]) / 1e6 - m) < 0.01


def test_wrong_frame_size_is_a_clear_error(tiny):
    with pytest.raises(ValueError, match="frames must be"):
        tiny(torch.zeros(1, 2, 10, 10, 3, dtype=torch.uint8), torch.zeros(1, 2, dtype=torch.long),
             torch.zeros(1, 2, dtype=torch.long))


def test_tiny_model_overfits_one_batch():
    torch.manual_seed(0)
    m = Policy(preset("tiny", context_frames=4, dropout=0.0)).train()
    frames, xb, yb = _batch(m.cfg, B=1, T=3)
    opt = torch.optim.AdamW(m.parameters(), lr=3e-3)
    first = None
    for _ in range(80):
        _, _, loss = m(frames, xb, yb)
        first = first if first is not None else loss.item()
        opt.zero_grad()
        loss.backward()
        opt.step()
    assert loss.item() < 0.15 * first, (first, loss.item())  # chance level is ln(168)+ln(126) = 9.96
