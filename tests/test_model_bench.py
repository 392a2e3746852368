"""bench.train_throughput runs on CPU and its FLOP count is sane."""
import torch

from bench.train_throughput import Args, flops_per_window, run
from model.config import PRESETS

torch.set_num_threads(1)  # see test_model_policy.py


def test_throughput_tiny_cpu():
    res = run(Args(size="tiny", batch_size=1, context=2, steps=1, warmup_steps=0, device="cpu"))
    assert res["frames_per_s"] > 0 and res["mfu"] is None and res["tflop_per_step"] > 0


def test_flops_scale_with_size():
    f = {n: sum(flops_per_window(PRESETS[n], 20, 32 * 38).values()) for n in ("very_small", "base", "large")}
    assert f["very_small"] < f["base"] < f["large"]
    # ViT-B forward at 1216 patches is ~0.2 TFLOP per frame... x20 frames: a few TFLOP per window.
    assert 1e12 < f["base"] < 1e13
