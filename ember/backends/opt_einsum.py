"""``torch.backends.opt_einsum``: whether einsum orders its contractions with the opt_einsum package."""
enabled = True
strategy = None


def is_available():
    return False
