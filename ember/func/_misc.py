"""functionalize, debug_unwrap, replace_all_batch_norm_modules_: what they mean for eager ember."""


def functionalize(func, *, remove="mutations"):
    """func itself: ember runs in-place ops eagerly and the transforms above handle them, so there is
    nothing to rewrite (torch removes mutations for its compiler)."""
    if remove not in ("mutations", "mutations_and_views"):
        raise RuntimeError(f"functionalize(f, remove='mutations'): received invalid argument for remove={remove}. "
                           "Valid options are:\n     remove='mutations': all inplace and out= operators will be "
                           "removed from the program, and replaced with their out-of-place equivalents.\n     "
                           "remove='mutations_and_views': In addition to the above, all aliasing operators {view} "
                           "will be replaced with their non-aliasing counterparts, {view}_copy.\n")
    return func


def debug_unwrap(tensor, *, recurse=True):
    """The plain tensor under a transform's wrapper; ember's transforms wrap nothing."""
    return tensor


def replace_all_batch_norm_modules_(root):
    """Make every BatchNorm in `root` use batch statistics only (no running stats), in place."""
    from ..nn.normalization import _BatchNorm
    for module in root.modules():
        if isinstance(module, _BatchNorm) and module.track_running_stats:
            module.running_mean = None
            module.running_var = None
            module.num_batches_tracked = None
            module.track_running_stats = False
    return root
