"""The BC policy (paper Section 3, Appendix B.1), nanoGPT style.

frames --DINOv2--> patch grid --adaptive avg pool--> 12x9 = 108 tokens (+ learnable pos emb)
sequence, one chunk of P+3 tokens per frame (P = 108):

    chunk i = [lead_i] [cls] img_i (P tokens) [cls]      lead_0 = [bos], lead_i = click_{i-1}

so the whole sequence is `[bos] [cls] img0 [cls] click0 [cls] img1 ... [cls] img_t [cls]`
(paper B.1) and it is a concatenation of equal chunks: that makes the KV-cache
decode a plain append of one chunk per step. The hidden state at the last
[cls] of chunk i predicts click i with separate x / y heads (524 / 436 bins).
Attention is block-causal: causal over positions, plus bidirectional among the
image tokens of one frame (SDPA with a boolean mask; flex_attention has no CPU
backward). Positions enter through RoPE (base 10000) on q and k.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import torch
import torch.nn as nn
import torch.nn.functional as F

from model.config import MOD_BOS, MOD_CLICK, MOD_CLS, MOD_IMAGE, PolicyConfig
from model.encoder import DinoV2, prepare_images


def resize_frames(frames: torch.Tensor, h: int, w: int) -> torch.Tensor:
    """uint8[N,H,W,3] -> uint8[N,h,w,3] (bilinear, antialiased; paper: stretch to 524x436).

    On CPU torch resizes uint8 channels-last directly (11x faster than via float, measured
    0.23 s vs 2.7 s for 119 frames 426x436 -> 262x218; results within 1 level)."""
    if frames.shape[1:3] == (h, w):
        return frames
    x = frames.permute(0, 3, 1, 2)  # a channels-last view, no copy
    if frames.device.type != "cpu":
        x = x.float()
    x = F.interpolate(x, size=(h, w), mode="bilinear", antialias=True, align_corners=False)
    if x.dtype != torch.uint8:
        x = x.round_().clamp_(0, 255).to(torch.uint8)
    return x.permute(0, 2, 3, 1).contiguous()


def block_causal_mask(n_frames: int, P: int, device=None) -> torch.Tensor:
    """bool[L,L], True = may attend. L = n_frames*(P+3)."""
    C = P + 3
    L = n_frames * C
    idx = torch.arange(L, device=device)
    in_chunk = idx % C
    is_img = (in_chunk >= 2) & (in_chunk < 2 + P)
    frame = idx // C
    causal = idx[None, :] <= idx[:, None]
    same_img = is_img[:, None] & is_img[None, :] & (frame[:, None] == frame[None, :])
    return causal | same_img


class Rope(nn.Module):
    """Rotary position embedding (rotate-half form), cos/sin tables grown on demand."""

    def __init__(self, head_dim: int, base: float):
        super().__init__()
        inv = base ** (-torch.arange(0, head_dim, 2, dtype=torch.float64) / head_dim)
        self.register_buffer("inv_freq", inv.float(), persistent=False)

    def forward(self, x: torch.Tensor, pos: torch.Tensor) -> torch.Tensor:
        # x (B, h, L, hd), pos (L,) absolute positions
        ang = pos.float()[:, None] * self.inv_freq[None, :]  # (L, hd/2)
        cos, sin = ang.cos().to(x.dtype), ang.sin().to(x.dtype)
        x1, x2 = x[..., ::2], x[..., 1::2]
        return torch.stack([x1 * cos - x2 * sin, x1 * sin + x2 * cos], dim=-1).flatten(-2)


class SelfAttention(nn.Module):
    def __init__(self, cfg: PolicyConfig):
        super().__init__()
        assert cfg.n_embd % cfg.n_head == 0 and (cfg.n_embd // cfg.n_head) % 2 == 0
        self.n_head, self.attn_dropout = cfg.n_head, cfg.attn_dropout
        self.c_attn = nn.Linear(cfg.n_embd, 3 * cfg.n_embd)
        self.c_proj = nn.Linear(cfg.n_embd, cfg.n_embd)
        self.resid_drop = nn.Dropout(cfg.dropout)
        self.rope = Rope(cfg.n_embd // cfg.n_head, cfg.rope_base)

    def forward(self, x, pos, mask, cache=None):
        # x (B, L, C); pos (L,); mask bool (L, Lk); cache: dict with "k","v" (B, h, Lc, hd) or None
        B, L, C = x.shape
        q, k, v = self.c_attn(x).view(B, L, 3, self.n_head, C // self.n_head).permute(2, 0, 3, 1, 4)
        q, k = self.rope(q, pos), self.rope(k, pos)
        if cache is not None:
            if "k" in cache:
                k, v = torch.cat([cache["k"], k], dim=2), torch.cat([cache["v"], v], dim=2)
            cache["k"], cache["v"] = k, v
        p = self.attn_dropout if self.training else 0.0
        y = F.scaled_dot_product_attention(q, k, v, attn_mask=mask, dropout_p=p)  # (B, h, L, hd)
        return self.resid_drop(self.c_proj(y.transpose(1, 2).reshape(B, L, C)))


class MLP(nn.Module):
    def __init__(self, cfg: PolicyConfig):
        super().__init__()
        self.c_fc = nn.Linear(cfg.n_embd, int(cfg.mlp_ratio * cfg.n_embd))
        self.c_proj = nn.Linear(int(cfg.mlp_ratio * cfg.n_embd), cfg.n_embd)
        self.drop = nn.Dropout(cfg.dropout)

    def forward(self, x):
        return self.drop(self.c_proj(F.gelu(self.c_fc(x))))


class Block(nn.Module):
    def __init__(self, cfg: PolicyConfig):
        super().__init__()
        self.ln_1 = nn.LayerNorm(cfg.n_embd)
        self.attn = SelfAttention(cfg)
        self.ln_2 = nn.LayerNorm(cfg.n_embd)
        self.mlp = MLP(cfg)

    def forward(self, x, pos, mask, cache=None):
        x = x + self.attn(self.ln_1(x), pos, mask, cache)
        return x + self.mlp(self.ln_2(x))


@dataclass
class DecodeState:
    """KV cache of `Policy.step`: per-layer k/v plus what a window slide needs to re-prefill."""

    caches: list[dict] = field(default_factory=list)
    img_tokens: list[torch.Tensor] = field(default_factory=list)  # per frame (B, P, C), embedded
    clicks: list[tuple[torch.Tensor, torch.Tensor]] = field(default_factory=list)  # (xbin, ybin) (B,)


class Policy(nn.Module):
    def __init__(self, cfg: PolicyConfig):
        super().__init__()
        self.cfg = cfg
        C, P = cfg.n_embd, cfg.tokens_per_frame
        self.encoder = DinoV2(cfg.encoder)
        self.img_proj = nn.Linear(cfg.encoder.dim, C)
        self.img_pos = nn.Parameter(torch.zeros(P, C))
        self.modality = nn.Embedding(4, C)  # cls 0, image 1, click 2, bos 3
        self.x_emb = nn.Embedding(cfg.n_xbins, C)
        self.y_emb = nn.Embedding(cfg.n_ybins, C)
        self.click_proj = nn.Linear(2 * C, C)
        self.drop = nn.Dropout(cfg.dropout)
        self.blocks = nn.ModuleList(Block(cfg) for _ in range(cfg.n_layer))
        self.ln_f = nn.LayerNorm(C)
        self.head_x = nn.Linear(C, cfg.n_xbins)
        self.head_y = nn.Linear(C, cfg.n_ybins)
        self._init_head()
        self._mask_cache: dict = {}

    def _init_head(self) -> None:
        for name, p in self.named_parameters():
            if name.startswith("encoder."):
                continue  # DinoV2 initialises itself (or gets pretrained weights)
            if p.dim() >= 2:
                # nanoGPT: N(0, 0.02), residual projections scaled by 1/sqrt(2*n_layer)
                std = 0.02 / math.sqrt(2 * self.cfg.n_layer) if name.endswith("c_proj.weight") else 0.02
                nn.init.normal_(p, std=std)
            elif name.endswith(".bias"):
                nn.init.zeros_(p)
        nn.init.normal_(self.img_pos, std=0.02)

    # ------------------------------------------------------------------ pieces
    def embed_frames(self, frames: torch.Tensor) -> torch.Tensor:
        """uint8[N,H,W,3] at model input size -> (N, P, C) image tokens incl. pos + modality."""
        cfg = self.cfg
        if frames.shape[1:3] != (cfg.img_h, cfg.img_w):
            raise ValueError(f"frames must be {cfg.img_h}x{cfg.img_w} (HxW), got {tuple(frames.shape[1:3])}")
        img = prepare_images(frames, cfg.pad_mode, cfg.encoder.patch)
        grid = self.encoder(img.to(self.img_proj.weight.dtype))  # (N, Denc, gh, gw)
        grid = F.adaptive_avg_pool2d(grid, (cfg.grid_h, cfg.grid_w))  # (N, Denc, 9, 12)
        tok = self.img_proj(grid.flatten(2).transpose(1, 2))  # (N, P, C), row-major over (9, 12)
        return tok + self.img_pos + self.modality.weight[MOD_IMAGE]

    def embed_clicks(self, xbin: torch.Tensor, ybin: torch.Tensor) -> torch.Tensor:
        """long[...] x2 -> (..., C)."""
        e = torch.cat([self.x_emb(xbin), self.y_emb(ybin)], dim=-1)
        return self.click_proj(e) + self.modality.weight[MOD_CLICK]

    def assemble(self, img_tok: torch.Tensor, lead: torch.Tensor) -> torch.Tensor:
        """img_tok (B, T, P, C), lead (B, T, C) -> sequence (B, T*(P+3), C)."""
        B, T, P, C = img_tok.shape
        cls = self.modality.weight[MOD_CLS].expand(B, T, 1, C)
        chunk = torch.cat([lead[:, :, None], cls, img_tok, cls], dim=2)  # (B, T, P+3, C)
        return chunk.reshape(B, T * (P + 3), C)

    def leads(self, B: int, xbin_prev: torch.Tensor | None, ybin_prev: torch.Tensor | None) -> torch.Tensor:
        """Lead tokens (B, T, C): bos then embedded clicks 0..T-2 (xbin_prev (B, T-1))."""
        bos = self.modality.weight[MOD_BOS].expand(B, 1, -1)
        if xbin_prev is None or xbin_prev.shape[1] == 0:
            return bos
        return torch.cat([bos, self.embed_clicks(xbin_prev, ybin_prev)], dim=1)

    def mask(self, n_frames: int, device) -> torch.Tensor:
        key = (n_frames, str(device))
        if key not in self._mask_cache:
            self._mask_cache[key] = block_causal_mask(n_frames, self.cfg.tokens_per_frame, device)
        return self._mask_cache[key]

    def run_blocks(self, x, pos, mask, caches=None):
        x = self.drop(x)
        for i, blk in enumerate(self.blocks):
            x = blk(x, pos, mask, None if caches is None else caches[i])
        return self.ln_f(x)

    def heads(self, h: torch.Tensor):
        return self.head_x(h), self.head_y(h)

    # ------------------------------------------------------------------ training forward
    def forward(self, frames, xbin, ybin, valid=None):
        """frames uint8[B,T,H,W,3]; xbin/ybin long[B,T] (targets; clicks 0..T-2 are also inputs);
        valid bool[B,T] (False = padding step). Returns logits_x (B,T,nx), logits_y (B,T,ny), loss."""
        B, T = xbin.shape
        if T > self.cfg.context_frames:
            raise ValueError(f"{T} frames exceed the context of {self.cfg.context_frames}")
        P, C = self.cfg.tokens_per_frame, self.cfg.n_embd
        img = self.embed_frames(frames.flatten(0, 1)).view(B, T, P, C)
        x = self.assemble(img, self.leads(B, xbin[:, :-1], ybin[:, :-1]))
        L = x.shape[1]
        h = self.run_blocks(x, torch.arange(L, device=x.device), self.mask(T, x.device))
        h = h.view(B, T, P + 3, C)[:, :, -1]  # the [cls] before each click, (B, T, C)
        lx, ly = self.heads(h)
        return lx, ly, click_loss(lx, ly, xbin, ybin, valid)

    # ------------------------------------------------------------------ incremental decode
    @torch.no_grad()
    def step(self, state: DecodeState, frame: torch.Tensor, prev_click=None):
        """Append one frame (uint8[B,H,W,3]) and the click taken on the previous frame
        ((xbin, ybin) long[B] each; None on the first step); return (logits_x, logits_y) for
        the next click. Keeps the last `context_frames` frames: on overflow it re-prefills the
        head from cached image tokens (the encoder is not rerun), so results always equal a full
        recompute over the same window."""
        B = frame.shape[0]
        P, C, Tmax = self.cfg.tokens_per_frame, self.cfg.n_embd, self.cfg.context_frames
        if state.img_tokens and prev_click is None:
            raise ValueError("prev_click is required after the first step")
        img = self.embed_frames(frame)  # (B, P, C)
        if state.img_tokens:
            state.clicks.append(prev_click)
        state.img_tokens.append(img)
        if len(state.img_tokens) > Tmax:  # slide: drop oldest frame and its click, re-prefill
            state.img_tokens.pop(0)
            state.clicks.pop(0)
            state.caches = []
        if not state.caches:  # prefill the whole window
            state.caches = [{} for _ in self.blocks]
            T = len(state.img_tokens)
            xs = torch.stack([c[0] for c in state.clicks], 1) if state.clicks else None
            ys = torch.stack([c[1] for c in state.clicks], 1) if state.clicks else None
            x = self.assemble(torch.stack(state.img_tokens, 1), self.leads(B, xs, ys))
            start = 0
        else:  # append one chunk
            T = len(state.img_tokens)
            lead = self.embed_clicks(*prev_click)[:, None]  # (B, 1, C)
            x = self.assemble(img[:, None], lead)
            start = (T - 1) * (P + 3)
        L = T * (P + 3)
        mask = self.mask(T, x.device)[start:L, :L]
        h = self.run_blocks(x, torch.arange(start, L, device=x.device), mask, state.caches)
        return self.heads(h[:, -1])


def click_loss(lx, ly, xbin, ybin, valid=None):
    """CE_x + CE_y, each averaged over valid steps (paper B.1). A weighted mean rather than boolean
    indexing: no host sync (GPU) and it works on the meta device; all-padding gives 0."""
    cx = F.cross_entropy(lx.float().transpose(1, 2), xbin, reduction="none")  # (B, T)
    cy = F.cross_entropy(ly.float().transpose(1, 2), ybin, reduction="none")
    if valid is None:
        return cx.mean() + cy.mean()
    w = valid.to(cx.dtype)
    return ((cx + cy) * w).sum() / w.sum().clamp(min=1.0)


def param_groups(model: Policy, lr_head: float, lr_backbone: float, weight_decay: float):
    """AdamW groups: backbone (encoder.*) vs head, each split into decayed (matrices, embeddings)
    and not decayed (biases, norms, layer-scale gammas, tokens) as is usual for ViT/GPT training."""
    groups = {(b, d): [] for b in (True, False) for d in (True, False)}
    for name, p in model.named_parameters():
        if not p.requires_grad:
            continue
        backbone = name.startswith("encoder.")
        decay = p.dim() >= 2 and not name.startswith("encoder.pos_embed")
        groups[(backbone, decay)].append(p)
    return [
        {"params": ps, "lr": lr_backbone if b else lr_head, "weight_decay": weight_decay if d else 0.0}
        for (b, d), ps in groups.items()
        if ps
    ]
