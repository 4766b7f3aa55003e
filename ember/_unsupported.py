"""torch's public names that ember leaves out on purpose, each with the reason: one list.

`benchmarks/api_coverage.py` reads it to count these as classified rather than missing, and
`unsupported(name)` gives the error ember raises where code reaches one of them. Keys are
qualified torch names (``torch.Tensor.to_sparse``); in them ``*`` matches within one name
(not across dots), ``?`` one character, ``[1-7]`` a range, and a leading ``*.`` any module.
"""
import re as _re

SPARSE = "sparse layouts: ember's tensors are dense NumPy arrays"
QUANT = "quantized tensors: NumPy has no quantized dtypes or kernels"
NAMED = "named tensors (a prototype in torch): not implemented on NumPy"
NESTED = "nested/jagged tensors: not implemented on NumPy"
KERNELS = "backend-specific kernels (cuDNN, MIOpen, oneDNN, FBGEMM, XNNPACK): ember has one NumPy/CuPy kernel per op"
DEVICES = "devices other than CPU and CUDA (MPS, XPU, MTIA, IPU, XLA, HPU, Vulkan, MAIA): no NumPy backend"
SCRIPT = "TorchScript / C++ binding class: ember has no TorchScript compiler (export with ember.onnx)"
DISPATCH = "torch's C++ dispatcher, tracing and functionalization internals: no Python-visible equivalent"
SYMBOLIC = "symbolic shapes of torch.compile's tracer: ember's shapes are plain ints"
DTYPES = "dtypes NumPy has no arithmetic for (sub-byte, float8, complex32, bit types)"
STORAGE = "typed storage classes: ember's memory is a NumPy array (Tensor.untyped_storage() answers for it)"
INTERNAL = "typing helper or module imported by torch's source, not part of its API"
SHARED = "shared/pinned memory and CUDA streams: a NumPy array lives in process memory"
RNN_KERNELS = "ATen's flat-weight RNN kernels behind nn.LSTM/GRU/RNN (use the modules or the cells)"
ATEN_ENUMS = "ATen's kernel behind an nn.functional op, taking torch's internal enum ints (use nn.functional's)"
OUT_OF_SCOPE = "a torch subsystem outside ember's scope (deployment, packaging, hub downloads, monitoring)"

UNSUPPORTED = {
    # sparse layouts
    "torch.sparse*": SPARSE, "torch.*sparse*": SPARSE, "torch.*indices_copy": SPARSE, "torch.values_copy": SPARSE,
    "torch.smm": SPARSE, "torch.hsmm": SPARSE, "torch.dsmm": SPARSE, "torch.hspmm": SPARSE, "torch.spmm": SPARSE,
    "torch.saddmm": SPARSE, "torch.sspaddmm": SPARSE,
    "torch.Tensor.to_sparse*": SPARSE, "torch.Tensor.*sparse*": SPARSE, "torch.Tensor.coalesce": SPARSE,
    "torch.Tensor.is_coalesced": SPARSE, "torch.Tensor.*indices": SPARSE, "torch.Tensor.values": SPARSE,
    "torch.nn.functional.sparse_support_notes": SPARSE, "torch.Tensor.to_dense": SPARSE, "torch.Tensor.dense_dim": SPARSE, "torch.Tensor.smm": SPARSE,
    "torch.Tensor.sspaddmm": SPARSE,
    "torch.nn.utils.convert_conv?d_weight_memory_format": "channels-last memory formats: NumPy arrays are strided, ember keeps torch's logical layout",
    # quantization
    "torch.q_*": QUANT, "torch.qint*": QUANT, "torch.quint*": QUANT, "torch.qscheme": QUANT, "torch.quantiz*": QUANT, "torch.dequantize": QUANT, "torch.fake_quantize_*": QUANT,
    "torch.per_channel_*": QUANT, "torch.per_tensor_*": QUANT, "torch.choose_qparams*": QUANT,
    "torch.fused_moving_avg_obs_fake_quant": QUANT, "torch.int_repr": QUANT, "torch.ao": QUANT,
    "torch.empty_quantized": QUANT, "torch.Tensor.q_*": QUANT, "torch.Tensor.qscheme": QUANT,
    "torch.Tensor.int_repr": QUANT, "torch.Tensor.dequantize": QUANT, "torch.Tensor.is_quantized": QUANT,
    "torch.nn.quantiz*": QUANT, "torch.nn.qat": QUANT, "torch.nn.intrinsic": QUANT,
    # named and nested tensors
    "torch.Tensor.rename*": NAMED, "torch.Tensor.refine_names": NAMED, "torch.Tensor.align_*": NAMED,
    "torch.Tensor.names": NAMED, "torch.Tensor.has_names": NAMED, "torch.Tensor.unflatten_names": NAMED,
    "torch.nested": NESTED, "torch.jagged": NESTED, "torch.Tensor.to_padded_tensor": NESTED,
    "torch.Tensor.is_nested": NESTED,
    # backend kernels and other devices
    "torch.cudnn_*": KERNELS, "torch.miopen_*": KERNELS, "torch.mkldnn_*": KERNELS, "torch.fbgemm_*": KERNELS,
    "torch.Tensor.to_mkldnn": KERNELS, "torch.Tensor.is_mkldnn": KERNELS, "torch.conv_tbc": KERNELS,
    "torch.mps": DEVICES, "torch.xpu": DEVICES, "torch.mtia": DEVICES, "torch.*_ipu_*": DEVICES,
    "torch.*_xla_*": DEVICES, "torch.is_vulkan_available": DEVICES,
    "torch.Tensor.xpu": DEVICES, "torch.Tensor.mtia": DEVICES, "torch.Tensor.ipu": DEVICES,
    # TorchScript and the C++ binding classes torch exposes at the top level
    "torch.*Type": SCRIPT, "torch.Script*": SCRIPT, "torch.LiteScriptModule": SCRIPT, "torch.StaticModule": SCRIPT,
    "torch.CompilationUnit": SCRIPT, "torch.ConcreteModuleType*": SCRIPT, "torch.FileCheck": SCRIPT,
    "torch.Graph": SCRIPT, "torch.Block": SCRIPT, "torch.Node": SCRIPT, "torch.Value": SCRIPT, "torch.Use": SCRIPT,
    "torch.Code": SCRIPT, "torch.Argument*": SCRIPT, "torch.CompleteArgumentSpec": SCRIPT,
    "torch.FunctionSchema": SCRIPT, "torch.Gradient": SCRIPT, "torch.GraphExecutorState": SCRIPT,
    "torch.ExecutionPlan": SCRIPT, "torch.IODescriptor": SCRIPT, "torch.ErrorReport": SCRIPT,
    "torch.JITException": SCRIPT, "torch.CallStack": SCRIPT, "torch.InferredType": SCRIPT, "torch.Capsule": SCRIPT,
    "torch.TracingState": SCRIPT, "torch.AliasDb": SCRIPT, "torch.DeepCopyMemoTable": SCRIPT,
    "torch.import_ir_module*": SCRIPT, "torch.parse_ir": SCRIPT, "torch.parse_schema": SCRIPT,
    "torch.parse_type_comment": SCRIPT, "torch.merge_type_from_type_comment": SCRIPT, "torch.unify_type_list": SCRIPT,
    "torch.PyTorchFile*": SCRIPT, "torch.*SerializationStorageContext": SCRIPT,
    "torch.DeserializationStorageContext": SCRIPT, "torch.ThroughputBenchmark": SCRIPT,
    "torch.Benchmark*": SCRIPT, "torch.LoggerBase": SCRIPT, "torch.LockingLogger": SCRIPT,
    "torch.NoopLogger": SCRIPT, "torch.AggregationType": SCRIPT, "torch.AVG": SCRIPT, "torch.SUM": SCRIPT,
    "torch.classes": SCRIPT, "torch.cpp": SCRIPT, "torch.fork": SCRIPT, "torch.wait": SCRIPT,
    "torch.Future": SCRIPT, "torch.futures": SCRIPT, "torch.Await*": SCRIPT,
    "torch.ModuleDict": SCRIPT, "torch.ParameterDict": SCRIPT, "torch.BufferDict": SCRIPT,  # ScriptModule's C++ dict views
    # dispatcher, tracing and functionalization internals
    "torch.Dispatch*": DISPATCH, "torch.DisableTorchFunction*": DISPATCH, "torch.ExcludeDispatchKeyGuard": DISPATCH,
    "torch.Tag": DISPATCH, "torch.OperatorInfo": DISPATCH, "torch.PRIVATE_OPS": DISPATCH, "torch.library": DISPATCH,
    "torch.fx": DISPATCH, "torch.compiler": DISPATCH, "torch.export": DISPATCH, "torch.cond": DISPATCH,
    "torch.while_loop": DISPATCH, "torch.native_*": DISPATCH, "torch.autocast_*_nesting": DISPATCH,
    "torch.segment_reduce": DISPATCH, "torch.Tensor.as_subclass": DISPATCH, "torch.Tensor.module_load": DISPATCH,
    "torch.Tensor.slice_inverse": DISPATCH, "torch.slice_inverse": DISPATCH, "torch.Tensor.is_inference": DISPATCH,
    "torch.Tensor.hash_tensor": DISPATCH, "torch.hash_tensor": DISPATCH, "torch.Tensor.dim_order": DISPATCH,
    "torch.Tensor.grad_dtype": DISPATCH,
    "torch.Tensor.index": "first-class dimensions (functorch.dim): not implemented on NumPy",
    "torch.Tensor.name": NAMED,
    "torch.Sym*": SYMBOLIC, "torch.sym_*": SYMBOLIC,
    "torch.batch_norm_*": "SyncBatchNorm's CUDA statistics kernels (ember's SyncBatchNorm computes them itself)",
    "torch.ctc_loss": ATEN_ENUMS, "torch.embedding_bag": ATEN_ENUMS, "torch.grid_sampler*": ATEN_ENUMS,
    "torch.affine_grid_generator": ATEN_ENUMS,
    "torch.gru": RNN_KERNELS, "torch.gru_cell": RNN_KERNELS, "torch.lstm": RNN_KERNELS, "torch.lstm_cell": RNN_KERNELS,
    "torch.rnn_relu*": RNN_KERNELS, "torch.rnn_tanh*": RNN_KERNELS,
    "torch.FatalError": DISPATCH, "torch.overrides": DISPATCH, "torch.return_types": DISPATCH,
    "torch.types": INTERNAL, "torch.testing": "torch's own test utilities (ember's tests use torch itself)",
    "torch.bit": DTYPES,
    "torch.*_notes": INTERNAL, "torch.*.*_notes": INTERNAL, "torch.*.common_args": INTERNAL,
    "torch.*.factory_common_args": INTERNAL, "torch.*.multi_dim_common": INTERNAL,
    "torch.nn.functional.assert_int_or_pair": INTERNAL, "torch.nn.*.Tensor": INTERNAL,
    "torch.nn.common_types": INTERNAL, "torch.nn.factory_kwargs": INTERNAL,
    "torch.nn.modules": "the package torch.nn's classes live in (ember.nn holds them directly)",
    "torch.utils.data.graph": OUT_OF_SCOPE, "torch.utils.data.graph_settings": OUT_OF_SCOPE,
    "torch.autograd.Profiler*": "the legacy profiler's C++ records (torch.profiler is the API)",
    "torch.autograd.DeviceType": "the legacy profiler's C++ records (torch.profiler is the API)",
    "torch.autograd.profiler_legacy": "the legacy profiler (torch.profiler is the API)",
    "torch.autograd.profiler_util": INTERNAL, "torch.autograd.enforce_grad_layout_policy": DISPATCH,
    "torch.autograd.SavedTensor": DISPATCH, "torch.autograd.NestedIOFunction": "an undocumented legacy Function base",
    "*.reproducibility_notes": INTERNAL, "*.tf32_notes": INTERNAL, "*.annotations": INTERNAL,
    "torch.nn.utils.rnn.PackedSequence_": INTERNAL, "torch.nn.utils.rnn.bind": INTERNAL,
    "torch.nn.utils.rnn.copy_method_params": INTERNAL, "torch.nn.utils.parametrize.Module": INTERNAL,
    "torch.nn.utils.parametrize.OpaqueBase": INTERNAL, "torch.nn.utils.parametrize.deepcopy": INTERNAL,
    "torch.nn.utils.parametrize.get_swap_module_params_on_conversion": INTERNAL,
    "torch.nn.utils.parametrize.is_*": INTERNAL, "torch.nn.utils.stateless.NamedMemberAccessor": INTERNAL,
    "torch.nn.utils.stateless.Tensor": INTERNAL, "torch.optim.lr_scheduler.inf": INTERNAL,
    "torch.optim.lr_scheduler.ref": INTERNAL, "torch.optim.swa_utils.PARAM_LIST": INTERNAL,
    "torch.optim.swa_utils.Tensor": INTERNAL,
    # dtypes
    "torch.float8_*": DTYPES, "torch.float4_*": DTYPES, "torch.int[1-7]": DTYPES, "torch.uint[1-7]": DTYPES,
    "torch.nn.functional.S*Type": DTYPES, "torch.nn.functional.scaled_*": DTYPES, "torch.bits*": DTYPES, "torch.complex32": DTYPES, "torch.chalf": DTYPES, "torch.Tensor.chalf": DTYPES,
    # storage, shared memory, streams
    "torch.*Storage": STORAGE, "torch.storage": STORAGE, "torch.StorageBase": STORAGE, "torch.Tensor.storage_type": STORAGE,
    "torch.Tensor.share_memory_": SHARED, "torch.Tensor.pin_memory": SHARED, "torch.Tensor.record_stream": SHARED,
    "torch.Stream": SHARED, "torch.Event": SHARED, "torch.StreamObjType": SHARED,
    # legacy methods torch itself only keeps to raise an error
    "torch.Tensor.symeig": "removed from torch (raises there): use torch.linalg.eigh",
    "torch.Tensor.eig": "removed from torch (raises there): use torch.linalg.eig",
    "torch.Tensor.lstsq": "removed from torch (raises there): use torch.linalg.lstsq",
    "torch.Tensor.solve": "removed from torch (raises there): use torch.linalg.solve",
    "torch.Tensor.reinforce": "removed from torch (raises there): stochastic functions are gone",
    "torch.symeig": "removed from torch (raises there): use torch.linalg.eigh",
    "torch.eig": "removed from torch (raises there): use torch.linalg.eig",
    "torch.lstsq": "removed from torch (raises there): use torch.linalg.lstsq",
    "torch.matrix_rank": "removed from torch (raises there): use torch.linalg.matrix_rank",
    "torch.Tensor.map2_": "CPU-only legacy callback methods over elements",
    # subsystems outside ember
    "torch.package": OUT_OF_SCOPE, "torch.hub": OUT_OF_SCOPE, "torch.monitor": OUT_OF_SCOPE,
    "torch.multiprocessing": OUT_OF_SCOPE, "torch.prepare_multiprocessing_environment": OUT_OF_SCOPE,
    "torch.utils.data.datapipes": OUT_OF_SCOPE, "torch.utils.data.DataChunk": OUT_OF_SCOPE,
    "torch.utils.data.*DataPipe": OUT_OF_SCOPE, "torch.utils.data.functional_datapipe": OUT_OF_SCOPE,
    "torch.utils.data.argument_validation": OUT_OF_SCOPE, "torch.utils.data.runtime_validation*": OUT_OF_SCOPE,
    "torch.utils.data.guaranteed_datapipes_determinism": OUT_OF_SCOPE,
    "torch.utils.data.non_deterministic": OUT_OF_SCOPE,
    "torch.compiled_with_cxx11_abi": OUT_OF_SCOPE, "torch.USE_*": OUT_OF_SCOPE, "torch.torch_version": OUT_OF_SCOPE,
    "torch.version": OUT_OF_SCOPE, "torch.get_file_path": OUT_OF_SCOPE, "torch.profiler_allow_cudagraph_*": OUT_OF_SCOPE,
    "torch.thread_safe_generator": OUT_OF_SCOPE, "torch.classproperty": INTERNAL,
    # typing helpers and modules imported by torch's source
    "*.TYPE_CHECKING": INTERNAL, "*.Optional": INTERNAL, "*.Union": INTERNAL, "*.Callable": INTERNAL,
    "*.Any": INTERNAL, "*.List": INTERNAL, "*.Tuple": INTERNAL, "*.Dict": INTERNAL, "*.Sequence": INTERNAL,
    "*.Iterable": INTERNAL, "*.Iterator": INTERNAL, "*.TypeVar": INTERNAL, "*.Generic": INTERNAL,
    "*.overload": INTERNAL, "*.deprecated": INTERNAL,
    "*.BroadcastingList?": INTERNAL, "*.boolean_dispatch": INTERNAL, "*.handle_torch_function": INTERNAL,
    "*.has_torch_function*": INTERNAL, "*.DType": INTERNAL, "*.TensorOrTensors": INTERNAL,
    "*.ParamSpec": INTERNAL, "*.Concatenate": INTERNAL,
}


def reason(qualname, obj=None):
    """Why ember leaves `qualname` out (a torch name such as ``torch.Tensor.to_sparse``), or None.

    With the torch object `obj`, the imports of torch's source (a stdlib module, a typing
    construct or type variable) are classified too, whatever their name."""
    if obj is not None and _is_import(obj):
        return INTERNAL
    r = UNSUPPORTED.get(qualname)
    if r is not None:
        return r
    for pattern, why in _compiled():
        if pattern.fullmatch(qualname):
            return why
    return None


_PATTERNS = []


def _compiled():
    if not _PATTERNS:
        for key, why in UNSUPPORTED.items():
            if any(c in key for c in "*?["):
                rx = "(?:.*\\.)?" + _glob(key[2:]) if key.startswith("*.") else _glob(key)
                _PATTERNS.append((_re.compile(rx), why))
    return _PATTERNS


def _glob(pattern):
    out = ""
    for part in _re.split(r"(\*|\?|\[[^]]*\])", pattern):
        out += {"*": "[^.]*", "?": "[^.]"}.get(part, part if part.startswith("[") else _re.escape(part))
    return out


def _is_import(obj):
    import types
    import typing
    if isinstance(obj, types.ModuleType):
        return not obj.__name__.startswith("torch")
    if isinstance(obj, (typing.TypeVar, getattr(typing, "ParamSpec", typing.TypeVar))):
        return True
    return getattr(obj, "__module__", None) in ("typing", "typing_extensions", "collections.abc", "abc",
                                                 "dataclasses", "functools", "enum")


def unsupported(qualname):
    """A function that raises NotImplementedError naming `qualname` and the reason."""
    why = reason(qualname) or "not implemented in ember"

    def fn(*args, **kwargs):
        raise NotImplementedError(f"{qualname} is not supported by ember: {why}")
    fn.__name__ = qualname.rsplit(".", 1)[-1]
    fn._unsupported = why
    return fn
