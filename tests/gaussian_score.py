"""The exact noise prediction of Gaussian pixels, a denoiser with a known answer, shared by
the sampler tests."""

import torch


class GaussianScore(torch.nn.Module):
    """The exact ε̂ of data whose pixels are independent N(m, s²): x̂₀ = m + √ᾱ s² (x_t − √ᾱ m)
    / (ᾱ s² + 1 − ᾱ). Written here, not by the project."""

    image_size = 8

    def __init__(self, m: float, s: float, abar: torch.Tensor):
        super().__init__()
        self.m, self.s, self.abar = m, s, abar
        self.anchor = torch.nn.Parameter(torch.empty(0), requires_grad=False)

    def forward(self, x_t, t, cond):
        a = self.abar[t.long()].view(-1, 1, 1, 1)
        x0 = self.m + a.sqrt() * self.s**2 / (a * self.s**2 + 1 - a) * (x_t - a.sqrt() * self.m)
        return (x_t - a.sqrt() * x0) / (1 - a).sqrt()
