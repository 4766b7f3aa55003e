"""Program: a captured function as a flat list of steps over array slots, and its replay.

A step is one of
  ("op", cls, inputs, options, out, out_lists, connect, keep)  an op's forward on arrays
  ("copy", x, v)                     an in-place write: slot x's memory takes slot v's values
  ("call", fn, args, kwargs, result) a @replayed function called again (optimizer step ...)
  ("backward", seeds, nodes)         the backward pass: each node's backward, in the order the
                                     engine ran them, gradients routed and fitted as it did
  ("grad", leaf, slot)               a leaf's .grad array, for steps that read it
Replay runs the forward of each op class on arrays with no Tensor, dispatch, promotion or
checks; ops that backward needs keep their instance (forward's saved state). A program whose
ops built a graph that the function returns (a forward used for training outside) replays in
graph mode instead: ops on tensors, making the same nodes ``Op.apply`` makes.
"""
import numpy as np

from .._tensor import Tensor, _wrap, _view
from ..autograd import grad_mode
from ..autograd.engine import _accumulate, sum_axes
from ..autograd.function import Node

_mode = grad_mode.state
_new, _ndarray, _generic, _asarray = object.__new__, np.ndarray, np.generic, np.asarray
_UFUNCS = None  # op class -> the NumPy ufunc its forward is (made on first use)


class _CompiledNode(Node):
    def name(self):  # (torch.compile's is named so too)
        return "CompiledFunctionBackward"


def _freed_node():
    """The grad_fn of a returned tensor whose graph the function's own backward already used:
    a second backward raises torch's error, as in eager."""
    n = _new(_CompiledNode)
    n._freed = n.check = True
    n.next, n.n_out, n.seq = [], 1, 0
    return n


def _ufuncs():
    global _Fill, _FOLD
    from ..ops import pointwise as P
    from ..ops.creation import Fill as _Fill
    from ..ops.reduction import Sum
    _FOLD = (Sum, P.Add, P.Sub)
    return {P.Add: np.add, P.Sub: np.subtract, P.Mul: np.multiply, P.Div: np.divide}


_Fill = _FOLD = None  # (set with _UFUNCS) zero_/fill_'s op; the nodes whose backward reads only shapes


def _fold(cache, gx):
    """A backward node's result on constant gradients, computed on the first replay and kept:
    read-only, so that nothing can change it in place."""
    gx = gx if gx.__class__ is tuple else (gx,)
    for g in gx:
        if g is not None and g.__class__ is _ndarray:
            g.flags.writeable = False
    cache.extend(gx)
    return cache


def _reduction(fit, like):
    """Code for the engine's fit (engine.sum_to, then a cast) of a gradient captured with
    shape and dtype `fit` to its input `like`, the axes worked out once here; `g` is the
    gradient's name in the code."""
    shape, dtype = fit
    expr = "g"
    axes, keep, reshape = sum_axes(shape, like.shape)
    if axes:
        expr = f"(_red(g, {axes!r}, keepdims={keep}) if g.__class__ is _nd else g.sum({axes!r}, keepdims={keep}))"
        if reshape:
            expr += f".reshape({like.shape!r})"
    if np.dtype(dtype) != like.dtype:
        expr += f".astype({like.dtype.str!r})"
    return expr


def _spec_slots(spec):
    """The slots an argument or output spec reads (tensors and arrays, in lists, tuples, dicts)."""
    c = spec[0]
    if c in ("t", "a"):
        yield spec[1]
    elif c in ("list", "tuple"):
        for x in spec[1]:
            yield from _spec_slots(x)
    elif c == "dict":
        for x in spec[1].values():
            yield from _spec_slots(x)


def _reads(ins):
    """The slots a step reads."""
    kind = ins[0]
    if kind == "op":
        for sp in ins[2]:
            yield from _spec_slots(sp)
    elif kind == "copy":
        yield from ins[1:3]
    elif kind == "call":
        for sp in list(ins[2]) + list(ins[3].values()):
            yield from _spec_slots(sp)
    elif kind == "backward":
        for _, _, sl in ins[1]:
            yield sl


def _output_tensor(a):
    """A returned tensor that required grad: its graph was used by the function's own backward."""
    t = _wrap(a)
    t._rg, t.grad_fn = True, _freed_node()
    return t


class Program:
    def __init__(self, init, instrs, outputs, graph, modules, loaded, values, grad_enabled, meta):
        self.instrs, self.outputs, self.graph, self.n = instrs, outputs, graph, len(init)
        self.meta = meta  # per slot: (shape, dtype, is an ndarray) at capture
        self.args = [(s, i[1]) for s, i in enumerate(init) if i is not None and i[0] == "arg"]
        self.loads = [(s, i[1]) for s, i in enumerate(init) if i is not None and i[0] == "load"]
        consts = [(s, i[1]) for s, i in enumerate(init) if i is not None and i[0] == "const"]
        self.consts = [(s, _wrap(a)) for s, a in consts] if graph else consts
        self.tensor_of = {s: t for s, t in self.loads}  # slots whose tensor object matters (identity)
        self.arg_slot = {s: k for s, k in self.args}
        self.guards = [(m, m.training) for m in modules]
        self.tguards = [(t, t._data.shape, t._data.dtype, t._rg) for t in loaded]
        self.vguards = values  # (globals dict or closure cell, name, value)
        self.grad_enabled = grad_enabled
        self._code = None

    def check(self):
        """Whether the live modules and tensors still match what was captured (generated code: one
        expression over the guards)."""
        env, terms = {}, []
        for i, (m, training) in enumerate(self.guards):
            env[f"m{i}"] = m
            terms.append(f"m{i}.training is {training}")
        for i, (t, shape, dtype, rg) in enumerate(self.tguards):
            env[f"t{i}"], env[f"d{i}"] = t, dtype
            terms.append(f"t{i}._data.shape == {shape!r} and t{i}._data.dtype == d{i} and t{i}._rg is {rg}")
        for i, (holder, name, v) in enumerate(self.vguards):
            env[f"h{i}"], env[f"v{i}"] = holder, v
            got = f"h{i}.cell_contents" if name is None else f"h{i}.get({name!r})"
            terms.append(f"{got}.__class__ is v{i}.__class__ and {got} == v{i}")
        src = "def check():\n    return " + (" and ".join(terms) or "True")
        exec(compile(src, "<ember.compile guards>", "exec"), env)
        self.check = env["check"]
        return self.check()

    # ------------------------------------------------------------------ array replay, as generated code
    def run(self, arg_tensors):
        if self.graph:
            return self.run_graph(arg_tensors)
        if self._code is None:
            # backward names each node by its op's place in the capture: kept before pruning shifts it
            self.place = {id(ins): k for k, ins in enumerate(self.instrs)}
            self.prune()
            self._code = self.generate()
        return self._code(arg_tensors)

    def reads(self):
        """How many times each slot is read by a step or the outputs."""
        n = {}
        for sl in _spec_slots(self.outputs):
            n[sl] = n.get(sl, 0) + 1
        for ins in self.instrs:
            for sl in _reads(ins):
                n[sl] = n.get(sl, 0) + 1
        return n

    def prune(self):
        """Drop steps whose results nothing reads: ops whose output is unused (and that backward
        does not need), .grad loads no later step uses."""
        used = set(_spec_slots(self.outputs))
        kept = []
        for ins in reversed(self.instrs):
            kind = ins[0]
            if kind == "op":
                if ins[7] is None and not ins[5] and ins[4] not in used:  # (keep, out_lists, its result)
                    continue
            elif kind == "grad" and ins[2] not in used:
                continue
            used.update(_reads(ins))
            kept.append(ins)
        self.instrs = kept[::-1]

    def generate(self):
        """The step program as one Python function: slots are its locals, constants, classes and
        functions its globals, the backward pass unrolled with every gradient's route, shape
        fit and buffer fixed at capture. No interpretation is left per step."""
        from ..ops.pointwise import relu_grad
        global _UFUNCS
        if _UFUNCS is None:
            _UFUNCS = _ufuncs()
        env = {"_new": _new, "_nd": _ndarray, "_asarray": _asarray, "_wrap": _wrap, "_red": np.add.reduce,
               "_acc": _accumulate, "_mode": _mode, "_out": _output_tensor, "_fold": _fold, "_np": np,
               "_relu_grad": relu_grad}
        self.lowered = {}  # capture place of an op replayed as direct NumPy calls -> (its rule, inputs, output)
        lines = ["def replay(A):"]
        put = lines.append
        names = {}

        def const(v, hint="V"):
            name = f"{hint}{len(env)}"
            env[name] = v
            return name

        def slot(sl):
            return names.get(sl, f"s{sl}")

        for sl, k in self.args:
            put(f"    s{sl} = A[{k}]._data")
        for sl, t in self.loads:
            put(f"    s{sl} = {const(t, 'T')}._data")
        for sl, a in self.consts:
            names[sl] = const(a, "K")

        def tensor_expr(sl):
            t = self.tensor_of.get(sl)
            if t is not None:
                return const(t, "T")
            if sl in self.arg_slot:
                return f"A[{self.arg_slot[sl]}]"
            return f"_wrap({slot(sl)})"

        def arg_expr(sp):
            c = sp[0]
            if c == "c":
                v = sp[1]
                return repr(v) if v is None or v.__class__ in (bool, int, str) else const(v)
            if c == "a":
                return slot(sp[1])
            if c == "t":
                return tensor_expr(sp[1])
            items = ", ".join(arg_expr(x) for x in sp[1])
            return f"[{items}]" if c == "list" else f"({items},)"

        def op_input(sp, outs):
            c = sp[0]
            if c in ("t", "a"):
                return slot(sp[1])
            if c == "out":
                name = f"l{len(outs)}_{len(lines)}"
                put(f"    {name} = []")
                outs.append(name)
                return name
            if c == "list":  # tensors in a list stay tensors, as apply passes them
                return "[" + ", ".join(tensor_expr(x[1]) for x in sp[1]) + "]"
            return arg_expr(sp)

        uses = self.reads()  # slot -> how many times it is read (for the in-place rewrites below)
        scratch = {ins[4] for ins in self.instrs  # op results with memory of their own that backward does not keep
                   if ins[0] == "op" and ins[7] is None and ins[9] and not ins[1].saves_output}
        skip_copy = None
        for i, ins in enumerate(self.instrs):
            kind = ins[0]
            nxt = self.instrs[i + 1] if i + 1 < len(self.instrs) else None
            if kind == "op" and ins[1] is _Fill and ins[7] is None and not ins[5] and nxt is not None \
                    and nxt[0] == "copy" and nxt[2] == ins[4] and uses.get(ins[4]) == 1 \
                    and ins[2][0][0] in ("t", "a") and nxt[1] == ins[2][0][1]:
                # x.zero_() / x.fill_(v) recorded as y = full_like(x, v) then x[...] = y: one fill
                put(f"    {slot(nxt[1])}.fill({op_input(ins[2][1], [])})")
                skip_copy = i + 1
                continue
            if kind == "op" and ins[1] in _UFUNCS and ins[7] is None and ins[8] and not ins[5] and not ins[3] \
                    and nxt is not None and nxt[0] == "copy" and nxt[2] == ins[4] and uses.get(ins[4]) == 1 \
                    and ins[2][0][0] == "t" and nxt[1] == ins[2][0][1] and len(ins[2]) == 2:
                # x.op_(y) recorded as y' = op(x, y) then x[...] = y': one ufunc writing into x
                x, other = slot(ins[2][0][1]), op_input(ins[2][1], [])
                put(f"    {const(_UFUNCS[ins[1]], 'U')}({x}, {other}, out={x})")
                skip_copy = i + 1
                continue
            if kind == "op" and ins[1] in _UFUNCS and ins[7] is None and ins[8] and not ins[5] and not ins[3] \
                    and len(ins[2]) == 2 and ins[2][0][0] in ("t", "a") and ins[2][0][1] in scratch \
                    and uses.get(ins[2][0][1]) == 1:
                # an elementwise op on a temporary nothing else reads: write the result into its memory
                x = slot(ins[2][0][1])
                put(f"    s{ins[4]} = {const(_UFUNCS[ins[1]], 'U')}({x}, {op_input(ins[2][1], [])}, out={x})")
                continue
            if kind == "op" and self._lower(ins, put, slot):
                continue
            if kind == "op":
                _, cls, specs, options, y, out_lists, _, keep = ins[:8]
                outs = []
                xs = [op_input(sp, outs) for sp in specs]
                fw = const(cls.forward, "FW")
                inst = const(cls, "C")
                opts = "".join(f", {k}={const(v)}" for k, v in options.items())
                f = f"f{self.place[id(ins)]}" if keep is not None else f"_new({inst})"
                if keep is not None:
                    put(f"    {f} = _new({inst})")
                put(f"    s{y} = {fw}({f}, {', '.join(xs)}{opts})" if xs else f"    s{y} = {fw}({f}{opts})")
                put(f"    if s{y}.__class__ is not _nd: s{y} = _asarray(s{y})")
                for name, slots in zip(outs, out_lists):
                    put(f"    {', '.join(f's{x}' for x in slots)}, = {name}")
                if keep is not None:
                    put(f"    {f}.xs = {f}.inputs = [{', '.join(xs)}]")
                    if not cls.arrays:  # its backward runs on tensors: it gets its tensor inputs as tensors
                        ts = [tensor_expr(sp[1]) if sp[0] == "t" else x for sp, x in zip(specs, xs)]
                        put(f"    {f}.inputs = [{', '.join(ts)}]")
                    put(f"    {f}.next, {f}.y = {const(keep)}, s{y}")
            elif kind == "copy":
                if skip_copy != i:
                    put(f"    {slot(ins[1])}[...] = {slot(ins[2])}")
                t = self.tensor_of.get(ins[1])
                if t is not None:
                    put(f"    {const(t, 'T')}._version[0] += 1")
                elif ins[1] in self.arg_slot:
                    put(f"    A[{self.arg_slot[ins[1]]}]._version[0] += 1")
            elif kind == "call":
                _, fn, a_specs, k_specs, r_spec = ins
                call_args = [arg_expr(sp) for sp in a_specs] + [f"{k}={arg_expr(sp)}" for k, sp in k_specs.items()]
                put(f"    r = {const(fn, 'F')}({', '.join(call_args)})")
                self._bind_code(r_spec, "r", put)
            elif kind == "backward":
                body = []  # (in a try, so that grad mode comes back whatever happens)
                self._backward_code(ins, body.append, slot, const)
                put("    _prev = _mode.enabled")
                put("    _mode.enabled = False")
                put("    try:")
                lines.extend("    " + line for line in body)
                put("    finally:")
                put("        _mode.enabled = _prev")
            else:  # "grad"
                leaf = self._leaf_expr(ins[1], const)
                put(f"    s{ins[2]} = {leaf}.grad._data")
        put(f"    return {self._output_code(self.outputs, slot, const)}")
        src = "\n".join(lines)
        self.source = src
        exec(compile(src, "<ember.compile program>", "exec"), env)
        return env["replay"]

    def _lower(self, ins, put, slot):
        """Emit op `ins` as direct NumPy calls if a lowering rule covers it (lower.py); whether it did."""
        from .lower import RULES
        _, cls, specs, options, y, out_lists = ins[:6]
        rule = RULES.get(cls)
        if rule is None or options or out_lists:
            return False
        names, values, meta = [], [], {}
        for sp in specs:
            if sp[0] in ("t", "a"):
                name = slot(sp[1])
                names.append(name)
                values.append(None)
                meta[name] = self.meta[sp[1]]
            elif sp[0] == "c" and (sp[1] is None or sp[1].__class__ in (int, float, bool)):
                names.append(repr(sp[1]))
                values.append(sp[1])
            else:
                return False
        lines = rule[0](names, values, f"s{y}", meta)
        if lines is None:
            return False
        for line in lines:
            put(f"    {line}")
        put(f"    if s{y}.__class__ is not _nd: s{y} = _asarray(s{y})")
        if ins[7] is not None:  # backward runs through it
            self.lowered[self.place[id(ins)]] = (rule[1], names, f"s{y}", ins[7])
        return True

    def _leaf_expr(self, spec, const):
        return const(spec[1], "T") if spec[0] == "load" else f"A[{spec[1]}]"

    def _bind_code(self, spec, expr, put):
        c = spec[0]
        if c == "t":
            put(f"    s{spec[1]} = {expr}._data")
        elif c == "a":
            put(f"    s{spec[1]} = {expr}")
        elif c == "tuple":
            for j, sp in enumerate(spec[1]):
                self._bind_code(sp, f"{expr}[{j}]", put)

    def _output_code(self, spec, slot, const):
        c = spec[0]
        if c == "t":
            return f"_wrap({slot(spec[1])})" if not spec[2] else f"_out({slot(spec[1])})"
        if c == "arg":
            return f"A[{spec[1]}]"
        if c == "c":
            v = spec[1]
            return repr(v) if v is None or v.__class__ in (bool, int, str) else const(v, "O")
        if c == "dict":
            return "{" + ", ".join(f"{k!r}: {self._output_code(v, slot, const)}" for k, v in spec[1].items()) + "}"
        items = ", ".join(self._output_code(x, slot, const) for x in spec[1])
        return f"[{items}]" if c == "list" else f"({items},)"

    def _backward_code(self, ins, put, slot, const):
        """The engine's loop unrolled: the order, routes, fits and buffers are those of the capture.
        A node whose backward reads only shapes (a sum, a mean, an add), reached by constant
        gradients only (the seed of ``loss.backward()``), runs on the first replay only."""
        _, seeds, nodes = ins
        have, fixed = set(), set()  # gradient buffers assigned so far; those that are constants
        consts = {sl for sl, _ in self.consts}
        for k, nr, sl in seeds:
            b = f"g{k}_{nr}"
            put(f"    {b} = {slot(sl)}" if b not in have else f"    {b} = {b} + {slot(sl)}")
            if sl in consts and b not in have:
                fixed.add(b)
            else:
                fixed.discard(b)
            have.add(b)
        ops = {self.place[id(i)]: i[1] for i in self.instrs if i[0] == "op"}
        for k, n_out, arrays, dests, fits in nodes:
            gys = [f"g{k}_{j}" if f"g{k}_{j}" in have else "None" for j in range(n_out)]
            folded = arrays and ops.get(k) in _FOLD and all(g == "None" or g in fixed for g in gys)
            if k in self.lowered:  # its backward's NumPy calls, written out
                rule, names, y, needs = self.lowered[k]
                pre, exprs = rule(names, y, gys[0], needs)
                for line in pre:
                    put(f"    {line}")
                put(f"    gx = ({', '.join(e or 'None' for e in exprs)},)")
            elif folded:
                cache = const([], "CF")
                put(f"    gx = {cache} or _fold({cache}, f{k}.backward({gys[0]}))")
            elif arrays:
                put(f"    gx = f{k}.backward({gys[0]})")
                put("    if gx.__class__ is not tuple: gx = (gx,)")
            else:
                put(f"    gx = f{k}.run_backward([{', '.join(g if g == 'None' else f'_wrap({g})' for g in gys)}])")
                put("    gx = [None if g is None else g._data for g in gx]")
            for j, (d, fit) in enumerate(zip(dests, fits)):
                if d is None:
                    continue
                dest, like = d
                x = f"gx[{j}]"
                if fit:
                    put(f"    g = gx[{j}]")
                    put(f"    x = {_reduction(fit, like)}")
                    x = "x"
                if dest[0] == "leaf":
                    # the engine's delivery: into an existing .grad in place (inlined, the common case
                    # across steps), an op's own new array kept without a copy, else _accumulate
                    put(f"    p = {self._leaf_expr(dest[1], const)}")
                    put("    q = p.grad")
                    put("    if p._hooks is None and q is not None and not q._rg:")
                    put(f"        d = q._data; d += {x}; q._version[0] += 1")
                    if arrays and gys[0] != "None" and not folded:  # (a folded array is kept: copied)
                        put(f"    elif q is None and p._hooks is None and {x} is not {gys[0]} and {x}.base is None: "
                            f"p.grad = _wrap({x})")
                    put(f"    else: _acc(p, {x}, False)")
                else:
                    b = f"g{dest[1]}_{dest[2]}"
                    put(f"    {b} = {x}" if b not in have else f"    {b} = {b} + {x}")
                    if folded and not fit and b not in have:
                        fixed.add(b)
                    else:
                        fixed.discard(b)
                    have.add(b)

    # ------------------------------------------------------------------ values of arguments and results
    def value(self, sp, S, arg_tensors, graph):
        """An argument for a call (or an op's unusual input): tensors by identity where it matters."""
        c = sp[0]
        if c == "c":
            return sp[1]
        if c == "a":
            a = S[sp[1]]
            return a._data if graph else a
        if c == "t":
            s = sp[1]
            if graph:
                return S[s]
            t = self.tensor_of.get(s)
            if t is not None:
                return t
            if s in self.arg_slot:
                return arg_tensors[self.arg_slot[s]]
            return _wrap(S[s])
        items = [self.value(x, S, arg_tensors, graph) for x in sp[1]]
        return items if c == "list" else tuple(items)

    def call(self, ins, S, arg_tensors, graph):
        _, fn, a_specs, k_specs, r_spec = ins
        r = fn(*[self.value(sp, S, arg_tensors, graph) for sp in a_specs],
               **{k: self.value(sp, S, arg_tensors, graph) for k, sp in k_specs.items()})
        self.bind(r_spec, r, S, graph)

    def bind(self, spec, r, S, graph):
        c = spec[0]
        if c == "t":
            S[spec[1]] = r if graph else r._data
        elif c == "a":
            S[spec[1]] = _wrap(r) if graph else r
        elif c == "tuple":
            for sp, v in zip(spec[1], r):
                self.bind(sp, v, S, graph)

    def output(self, spec, S, arg_tensors, graph):
        c = spec[0]
        if c == "t":
            if graph:
                return S[spec[1]]
            t = _wrap(S[spec[1]])
            if spec[2]:  # it required grad: its graph was used by the function's own backward
                t._rg, t.grad_fn = True, _freed_node()
            return t
        if c == "arg":
            return arg_tensors[spec[1]]
        if c == "c":
            return spec[1]
        if c == "dict":
            return {k: self.output(v, S, arg_tensors, graph) for k, v in spec[1].items()}
        items = [self.output(x, S, arg_tensors, graph) for x in spec[1]]
        return items if c == "list" else tuple(items)

    # ------------------------------------------------------------------ graph replay
    def run_graph(self, arg_tensors):
        """Replay on tensors, making each recorded op's graph node as Op.apply does (the function
        returns tensors a later backward runs through)."""
        S = [None] * self.n
        for s, k in self.args:
            S[s] = arg_tensors[k]
        for s, t in self.loads:
            S[s] = t
        for s, t in self.consts:
            S[s] = t
        for ins in self.instrs:
            kind = ins[0]
            if kind == "op":
                _, cls, specs, options, y, out_lists, connect, _ = ins[:8]
                ins_t, lists = [], None
                for sp in specs:
                    if sp[0] == "out":
                        lst = []
                        lists = (lists or []) + [lst]
                        ins_t.append(lst)
                    else:
                        ins_t.append(self.value(sp, S, arg_tensors, True))
                xs = [x._data if isinstance(x, Tensor) else x for x in ins_t]
                f = _new(cls)
                a = f.forward(*xs, **options)
                if a.__class__ is not _ndarray and isinstance(a, _generic):
                    a = _asarray(a)
                out = _view(ins_t[0], a, cls, tuple(ins_t[1:]), options) if cls.view else _wrap(a)
                if connect:
                    f.connect(ins_t, out, xs)
                S[y] = out
                if lists:
                    for lst, slots in zip(lists, out_lists):
                        for s, v in zip(slots, lst):
                            S[s] = _wrap(v)
            elif kind == "copy":
                x = S[ins[1]]
                x._data[...] = S[ins[2]]._data
                x._version[0] += 1
            else:  # "call" (no backward in a graph program)
                self.call(ins, S, arg_tensors, True)
        return self.output(self.outputs, S, arg_tensors, True)
