"""``add_graph``: run a model once and draw ember's autograd graph as a TensorFlow `GraphDef`.

torch traces the model with the JIT; ember needs no tracer, because running the model
records the graph already: each output's ``grad_fn`` is a node whose ``next`` edges lead to
the nodes (or leaf tensors) that made its inputs. Walking them from the outputs back to the
leaves gives every op; ``named_parameters()`` names the leaves, and forward hooks on the
submodules tell which module each op ran in (its scope, ``Net/Linear[fc1]/Addmm_0``).
"""
from tensorboard.compat.proto.attr_value_pb2 import AttrValue
from tensorboard.compat.proto.config_pb2 import RunMetadata
from tensorboard.compat.proto.graph_pb2 import GraphDef
from tensorboard.compat.proto.node_def_pb2 import NodeDef
from tensorboard.compat.proto.step_stats_pb2 import DeviceStepStats, StepStats
from tensorboard.compat.proto.tensor_shape_pb2 import TensorShapeProto
from tensorboard.compat.proto.versions_pb2 import VersionDef

from ..._tensor import Tensor
from ...autograd import grad_mode


def graph(model, args, verbose=False):
    """The model's graph as ``(GraphDef, RunMetadata)``, what torch's ``graph()`` returns."""
    args = () if args is None else args if isinstance(args, (tuple, list)) else (args,)
    # float inputs get requires_grad, so the graph reaches them even when no parameter requires grad
    inputs = [x.detach().requires_grad_(x.is_floating_point()) if isinstance(x, Tensor) else x for x in args]
    base = _model_name(model)
    scope_of = {}  # id(node) -> scope, filled by the module hooks while the model runs
    training = getattr(model, "training", None) if hasattr(model, "train") else None
    handles = _add_scope_hooks(model, base, scope_of)
    try:
        if training is not None:
            model.train(False)  # torch draws the eval-mode graph
        with grad_mode.enable_grad():
            outputs = _flatten(model(*inputs))
    finally:
        for h in handles:
            h.remove()
        if training is not None:
            model.train(training)
    nodes = _to_nodes(model, base, inputs, outputs, scope_of)
    if verbose:
        print(GraphDef(node=nodes))
    stats = RunMetadata(step_stats=StepStats(dev_stats=[DeviceStepStats(device="/device:CPU:0")]))
    # producer 22: the GraphDef version TensorBoard expects from torch's writer
    return GraphDef(node=nodes, versions=VersionDef(producer=22)), stats


def _model_name(model):
    return getattr(model, "__name__", None) or type(model).__name__


def _flatten(out):
    """The tensors in a model's output (a tensor, or nested tuples, lists and dicts of them)."""
    if isinstance(out, Tensor):
        return [out]
    if isinstance(out, dict):
        out = list(out.values())
    if isinstance(out, (tuple, list)):
        return [t for o in out for t in _flatten(o)]
    return []


def _module_scopes(model, base):
    """{module path: scope}: '' -> 'Net', 'seq.0' -> 'Net/Sequential[seq]/Linear[0]'."""
    scopes = {"": base}
    if hasattr(model, "named_modules"):
        for path, m in model.named_modules():
            if path:
                parent, _, last = path.rpartition(".")
                scopes[path] = f"{scopes[parent]}/{type(m).__name__}[{last}]"
    return scopes


def _add_scope_hooks(model, base, scope_of):
    """Forward hooks that give each new node the scope of the innermost module that ran it.

    A module's hook runs after those of its submodules, so it walks back from its output and
    claims only the nodes no submodule claimed, stopping at the nodes that made its inputs.
    """
    if not hasattr(model, "named_modules"):
        return []
    scopes, handles, stops = _module_scopes(model, base), [], {}

    def pre_hook(module, args):
        stops.setdefault(id(module), []).append({id(a.grad_fn) for a in _flatten(list(args)) if a.grad_fn})

    def make_hook(scope):
        def hook(module, args, output):
            stop = stops[id(module)].pop()
            todo = [t.grad_fn for t in _flatten(output) if t.grad_fn is not None]
            while todo:
                node = todo.pop()
                if id(node) in stop or id(node) in scope_of:
                    continue
                scope_of[id(node)] = scope
                todo.extend(e[0] for e in node.next if e is not None and not isinstance(e[0], Tensor))
        return hook

    for path, m in model.named_modules():
        handles.append(m.register_forward_pre_hook(pre_hook))
        handles.append(m.register_forward_hook(make_hook(scopes[path])))
    return handles


def _topological(roots):
    """Every node reachable from ``roots``, producers before consumers (iterative, no recursion)."""
    order, seen, stack = [], set(), [(r, False) for r in roots]
    while stack:
        node, expanded = stack.pop()
        if expanded:
            order.append(node)
            continue
        if id(node) in seen:
            continue
        seen.add(id(node))
        stack.append((node, True))
        # reversed, so that a node's first input is visited (and numbered) first
        stack.extend((e[0], False) for e in reversed(node.next) if e is not None and not isinstance(e[0], Tensor))
    return order


def _to_nodes(model, base, inputs, outputs, scope_of):
    scopes = _module_scopes(model, base)
    names = {}  # id(node or leaf tensor) -> NodeDef name
    defs = []

    def add(name, op, obj, shapes, ins=(), attr=None):
        if obj is not None:
            names[id(obj)] = name
        a = {"_output_shapes": AttrValue(list=AttrValue.ListValue(
            shape=[TensorShapeProto(dim=[TensorShapeProto.Dim(size=d) for d in s]) for s in shapes]))}
        if attr:
            a["attr"] = AttrValue(s=attr.encode("utf_8"))
        defs.append(NodeDef(name=name, op=op, input=list(ins), attr=a))

    for i, x in enumerate(inputs):
        if isinstance(x, Tensor):
            add(f"input/input.{i}", "IO Node", x, [x.shape])
    if hasattr(model, "named_parameters"):
        for path, p in model.named_parameters():
            parent, _, last = path.rpartition(".")
            add(f"{scopes.get(parent, base + '/' + parent)}/{last}", "Parameter", p, [p.shape])

    roots = [t.grad_fn for t in outputs if t.grad_fn is not None]
    order = _topological(roots)
    # the shape of each node output, read off the tensors its consumers took as inputs
    shapes = {(id(t.grad_fn), t._out_nr): t.shape for t in outputs if t.grad_fn is not None}
    for node in order:
        for e, x in zip(node.next, node.inputs or ()):
            if e is not None and isinstance(x, Tensor):
                shapes[(id(e[0]), e[1])] = x.shape

    counts = {}
    for node in order:
        op = node.name().removesuffix("0").removesuffix("Backward")
        scope = scope_of.get(id(node), base)
        k = counts[(scope, op)] = counts.get((scope, op), -1) + 1
        ins, consts = [], []
        for e, x in zip(node.next, node.inputs or (None,) * len(node.next)):
            if e is not None:  # an edge: another node's output, or a leaf that requires grad
                src, idx = e
            elif isinstance(x, Tensor):  # a tensor that needs no grad: a model input or a constant
                src, idx = x, 0
            else:  # a dim, a scalar ...: shown among the node's attributes
                if x is not None:
                    consts.append(_short(x))
                continue
            if id(src) not in names:  # a leaf tensor that is neither a model input nor a parameter
                add(f"{scope}/{op}_{k}/tensor.{len(ins)}", "Tensor", src, [src.shape])
            ins.append(names[id(src)] + (f":{idx}" if idx else ""))
        n_out = getattr(node, "n_out", 1)
        add(f"{scope}/{op}_{k}", op, node, [shapes.get((id(node), j), ()) for j in range(n_out)], ins,
            f"{{ args : {', '.join(consts)} }}" if consts else None)
    for i, t in enumerate(outputs):
        if t.grad_fn is not None:
            src = names[id(t.grad_fn)] + (f":{t._out_nr}" if t._out_nr else "")
        elif id(t) in names:
            src = names[id(t)]
        else:
            continue
        add(f"output/output.{i}", "IO Node", None, [t.shape], [src])
    return defs


def _short(x, limit=60):
    s = repr(x)
    return s if len(s) <= limit else s[:limit - 3] + "..."
