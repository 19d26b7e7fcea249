// Element-wise array expressions: the root of a fused tree (FuseArrayExprs.h) allocates its
// result (or writes into the array it updates), computes the broadcast shape, and evaluates
// the whole tree per element in one loop nest.  When every operand has the result's shape and
// C layout, a flat loop over the elements vectorizes; otherwise a strided loop nest broadcasts.
#include "ember/abi.h"
#include "ir/rules/Elementwise.h"
#include "lowering/FunctionLowerer.h"

namespace ember {

using V = llvm::Value *;

void FunctionLowerer::collect_leaves(Value v, ExprTree &tree, bool root) {
  if (!root && !f_.is_fused(v)) {
    if (tree.leaf_of.count(v.id)) return;
    ExprLeaf leaf;
    leaf.value = v;
    leaf.type = type(v);
    leaf.v = get(v);
    TypeId t = leaf.type;
    if (types_.kind(t) == TypeKind::Optional) {
      leaf.type = types_.get(t).elems[0];
      leaf.v = convert(leaf.v, t, leaf.type);
    }
    tree.leaf_of[v.id] = tree.leaves.size();
    tree.leaves.push_back(std::move(leaf));
    return;
  }
  const InstData &d = f_.inst(f_.def(v));
  size_t first = d.op == Op::Call ? 1 : 0;
  for (size_t k = first; k < d.operands.size(); ++k) collect_leaves(d.operands[k], tree, false);
}

std::vector<V> FunctionLowerer::broadcast_shape(ExprTree &tree, int ndim,
                                                const std::vector<V> *fixed) {
  llvm::Constant *one = llvm::ConstantInt::get(i64_, 1), *zero = llvm::ConstantInt::get(i64_, 0);
  std::vector<V> shape(static_cast<size_t>(ndim), one);
  if (fixed) shape = *fixed;
  V bad = llvm::ConstantInt::getFalse(ctx_);
  // a[...] = x + y with x of more dimensions than `a`: as in NumPy, the value's extra leading
  // axes must have length 1 (they are dropped); eval_element never indexes them.
  V extra_axis = llvm::ConstantInt::getFalse(ctx_);
  for (ExprLeaf &leaf : tree.leaves) {
    if (!types_.is_array(leaf.type)) continue;
    int k = types_.ndim(leaf.type);
    leaf.strides.assign(static_cast<size_t>(k), zero);
    for (int j = 0; j < k; ++j) {
      V e = array_dim(leaf.v, DataModel::kShape, j);
      V is_one = b_.CreateICmpEQ(e, one);
      if (ndim - k + j < 0) {
        internal_assert(fixed) << "a broadcast operand has more dimensions than the result";
        extra_axis = b_.CreateOr(extra_axis, b_.CreateNot(is_one));
        continue;
      }
      size_t axis = static_cast<size_t>(ndim - k + j);
      if (fixed) {
        bad = b_.CreateOr(bad, b_.CreateAnd(b_.CreateNot(is_one), b_.CreateICmpNE(e, shape[axis])));
      } else {
        V cur = shape[axis];
        V next = b_.CreateSelect(b_.CreateICmpEQ(cur, one), e, cur);
        bad = b_.CreateOr(bad, b_.CreateAnd(b_.CreateNot(is_one), b_.CreateICmpNE(e, next)));
        shape[axis] = next;
      }
      leaf.strides[static_cast<size_t>(j)] =
          b_.CreateSelect(is_one, zero, stride_of(leaf.v, leaf.type, j));
    }
  }
  raise_if(extra_axis, EMBER_EXC_ValueError,
           "could not broadcast input array into the destination's shape: it has more "
           "dimensions, and an extra leading axis is not of length 1");
  raise_if(bad, EMBER_EXC_ValueError,
           fixed ? "could not broadcast the operands into the destination's shape"
                 : "operands could not be broadcast together");
  return shape;
}

V FunctionLowerer::eval_element(const ExprTree &tree, Value v, const std::vector<V> &idx, V flat) {
  auto it = tree.leaf_of.find(v.id);
  if (it != tree.leaf_of.end()) {
    const ExprLeaf &leaf = tree.leaves[it->second];
    if (!types_.is_array(leaf.type)) return leaf.v;
    ScalarKind dk = types_.dtype(leaf.type);
    V data = array_field(leaf.v, DataModel::kData);
    if (flat) return load_element(b_.CreateInBoundsGEP(mt(types_.scalar(dk)), data, flat), dk);
    int k = types_.ndim(leaf.type), nd = static_cast<int>(idx.size());
    V offset = llvm::ConstantInt::get(i64_, 0);
    for (int j = std::max(0, k - nd); j < k; ++j)  // extra leading axes have length 1
      offset = b_.CreateAdd(offset, b_.CreateMul(idx[static_cast<size_t>(nd - k + j)],
                                                 leaf.strides[static_cast<size_t>(j)]));
    return load_element(b_.CreateGEP(i8_, data, offset), dk);
  }
  const InstData &d = f_.inst(f_.def(v));
  std::vector<V> elems;
  std::vector<TypeId> elem_types;
  size_t first = d.op == Op::Call ? 1 : 0;
  for (size_t k = first; k < d.operands.size(); ++k) {
    Value o = d.operands[k];
    elems.push_back(eval_element(tree, o, idx, flat));
    TypeId t = type(o);
    if (types_.kind(t) == TypeKind::Optional) t = types_.get(t).elems[0];
    if (types_.is_array(t)) t = types_.scalar(types_.dtype(t));
    elem_types.push_back(t);
  }
  return element_op(d, elems, elem_types);
}

V FunctionLowerer::element_op(const InstData &d, const std::vector<V> &elems,
                              const std::vector<TypeId> &elem_types) {
  ElementwiseTyping et;
  internal_assert(type_elementwise(types_, f_, d, &et)) << "not an element-wise operation";
  TypeId ct = types_.scalar(et.compute), rt = types_.scalar(et.result);
  for (TypeId t : elem_types)
    if (types_.is_scalar(t) && is_time(types_.scalar_kind(t)))
      return time_element_op(d, elems, elem_types, et.result);
  auto arg = [&](size_t k) { return convert(elems[k], elem_types[k], ct); };
  switch (d.op) {
    case Op::BinOp: {
      auto kind = static_cast<BinOpKind>(d.imm);
      V a = arg(0), c = arg(1);
      V r;
      if (et.compute == ScalarKind::Bool && kind == BinOpKind::Add)
        r = b_.CreateOr(a, c);  // NumPy: bool + bool is logical or
      else if (et.compute == ScalarKind::Bool && kind == BinOpKind::Mul)
        r = b_.CreateAnd(a, c);
      else
        r = lower_binop(kind, a, c, ct, false, /*array_element=*/true);
      return convert(r, ct, rt);
    }
    case Op::Compare: return lower_compare(static_cast<CmpKind>(d.imm), arg(0), arg(1), ct);
    case Op::Unary: {
      V a = arg(0);
      if (et.compute == ScalarKind::Bool && static_cast<UnaryKind>(d.imm) == UnaryKind::Invert)
        return b_.CreateNot(a);
      return convert(lower_unary(static_cast<UnaryKind>(d.imm), a, ct), ct, rt);
    }
    case Op::Call: break;
    default: internal_error << "not an element-wise op: " << op_name(d.op);
  }
  if (types_.kind(type(d.operands[0])) == TypeKind::Dispatcher) {
    // A @vectorize kernel: a call per element (inlined by LLVM), errors propagate.
    const CalleeRef &ref = f_.callees[d.aux];
    llvm::Function *kernel = ref.self ? fn_ : ms_.functions.at(ref.symbol);
    llvm::Type *rmt = mt(ref.result);
    V slot = entry_alloca(rmt, "kernel.ret");
    std::vector<V> args = {slot, err_ptr_};
    for (size_t k = 0; k < elems.size(); ++k)
      args.push_back(convert(elems[k], elem_types[k], ref.params[k]));
    V status = b_.CreateCall(kernel, args);
    auto *fail = llvm::BasicBlock::Create(ctx_, "kernel.fail", fn_);
    auto *ok = llvm::BasicBlock::Create(ctx_, "kernel.ok", fn_);
    b_.CreateCondBr(b_.CreateICmpNE(status, llvm::ConstantInt::get(i32_, 0)), fail, ok);
    b_.SetInsertPoint(fail);
    leave_raised(status);
    b_.SetInsertPoint(ok);
    return convert(from_memory(b_.CreateLoad(rmt, slot), ref.result), ref.result, rt);
  }
  auto id = static_cast<BuiltinId>(types_.get(type(d.operands[0])).a);
  if (is_complex(et.compute) && id != BuiltinId::NpWhere)
    return complex_ufunc(id, arg(0), et.compute);
  switch (id) {
    case BuiltinId::Abs:
    case BuiltinId::NpAbsolute: {
      V a = arg(0);
      if (is_float(et.compute)) return ms_.target.math(b_, MathFn::Fabs, {a});
      if (et.compute == ScalarKind::Bool || !is_signed(et.compute)) return a;
      return b_.CreateSelect(b_.CreateICmpSLT(a, llvm::ConstantInt::get(a->getType(), 0)),
                             b_.CreateNeg(a), a);
    }
    case BuiltinId::NpIsnan:
    case BuiltinId::NpIsinf:
    case BuiltinId::NpIsfinite: {
      bool finite = id == BuiltinId::NpIsfinite;
      if (!is_float(et.compute)) return llvm::ConstantInt::get(i1_, finite ? 1 : 0);
      V a = arg(0);
      if (id == BuiltinId::NpIsnan) return b_.CreateFCmpUNO(a, a);
      V ax = ms_.target.math(b_, MathFn::Fabs, {a});
      V inf = llvm::ConstantFP::getInfinity(a->getType());
      return finite ? b_.CreateFCmpOLT(ax, inf) : b_.CreateFCmpOEQ(ax, inf);
    }
    case BuiltinId::NpMinimum:
    case BuiltinId::NpMaximum: {
      V a = arg(0), c = arg(1);
      bool is_max = id == BuiltinId::NpMaximum;
      if (is_float(et.compute))
        return b_.CreateBinaryIntrinsic(
            is_max ? llvm::Intrinsic::maximum : llvm::Intrinsic::minimum, a, c);
      return scalar_min_max(is_max, a, c, et.compute);
    }
    case BuiltinId::NpClip: {
      V a = arg(0), lo = arg(1), hi = arg(2);
      if (is_float(et.compute))
        return b_.CreateBinaryIntrinsic(llvm::Intrinsic::minimum,
                                        b_.CreateBinaryIntrinsic(llvm::Intrinsic::maximum, a, lo),
                                        hi);
      return scalar_min_max(false, scalar_min_max(true, a, lo, et.compute), hi, et.compute);
    }
    case BuiltinId::NpFloor:
    case BuiltinId::NpCeil:
    case BuiltinId::NpTrunc:
      if (!is_float(et.compute)) return arg(0);
      break;
    case BuiltinId::NpConjugate: {
      V a = arg(0);
      if (!is_complex(et.compute)) return a;
      return b_.CreateInsertValue(a, b_.CreateFNeg(b_.CreateExtractValue(a, {1})), {1});
    }
    case BuiltinId::NpWhere: {
      V cond = truth(elems[0], elem_types[0]);
      return b_.CreateSelect(cond, convert(elems[1], elem_types[1], rt),
                             convert(elems[2], elem_types[2], rt));
    }
    default: break;
  }
  MathFn fn;
  internal_assert(builtin_math_fn(id, &fn)) << "no element operation for " << builtin_info(id).attr;
  std::vector<V> args;
  for (size_t k = 0; k < elems.size(); ++k) args.push_back(arg(k));
  V out = ms_.target.math(b_, fn, args);
  set_fast_math(out);
  return out;
}

void FunctionLowerer::evaluate_direct(V dst, TypeId dst_type, Value root, ExprTree &tree,
                                      const std::vector<V> &shape) {
  int nd = static_cast<int>(shape.size());
  ScalarKind dk = types_.dtype(dst_type);
  TypeId root_elem = types_.scalar(dk);
  auto store = [&](V ptr, V value_elem) {
    // The root's element type is its result dtype, or the compute type for stores.
    store_element(ptr, value_elem, dk);
  };
  auto root_value = [&](const std::vector<V> &idx, V flat) {
    V e = eval_element(tree, root, idx, flat);
    TypeId et = type(root);
    if (types_.kind(et) == TypeKind::Optional) et = types_.get(et).elems[0];
    TypeId from = types_.is_array(et) ? types_.scalar(types_.dtype(et)) : et;
    return convert(e, from, root_elem);
  };
  // The flat fast path: every array leaf and the destination are C-contiguous with the output
  // shape (checked at run time when the types allow it).
  bool static_flat = types_.layout(dst_type) == Layout::C;
  for (const ExprLeaf &leaf : tree.leaves)
    if (types_.is_array(leaf.type) &&
        (types_.ndim(leaf.type) != nd || types_.layout(leaf.type) != Layout::C))
      static_flat = false;
  auto general = [&] {
    emit_nd_loop(shape, [&](const std::vector<V> &idx) {
      store(element_pointer(dst, dst_type, idx), root_value(idx, nullptr));
    });
  };
  if (!static_flat || nd == 0) {
    general();
    return;
  }
  V same = llvm::ConstantInt::getTrue(ctx_);
  for (const ExprLeaf &leaf : tree.leaves) {
    if (!types_.is_array(leaf.type)) continue;
    for (int k = 0; k < nd; ++k)
      same = b_.CreateAnd(same, b_.CreateICmpEQ(array_dim(leaf.v, DataModel::kShape, k),
                                                shape[static_cast<size_t>(k)]));
  }
  auto *flat_bb = llvm::BasicBlock::Create(ctx_, "expr.flat", fn_);
  auto *strided_bb = llvm::BasicBlock::Create(ctx_, "expr.strided", fn_);
  auto *done = llvm::BasicBlock::Create(ctx_, "expr.done", fn_);
  b_.CreateCondBr(same, flat_bb, strided_bb);
  b_.SetInsertPoint(flat_bb);
  V n = llvm::ConstantInt::get(i64_, 1);
  for (V s : shape) n = b_.CreateMul(n, s);
  V data = array_field(dst, DataModel::kData);
  llvm::Type *et = mt(root_elem);
  auto serial_flat = [&] {
    emit_loop(
        n, [&](V i) { store(b_.CreateInBoundsGEP(et, data, i), root_value({}, i)); }, "flat");
  };
  if (!f_.flags.parallel) {
    serial_flat();
  } else {
    // parallel=True: large arrays are split over the thread pool.
    auto *par = llvm::BasicBlock::Create(ctx_, "expr.parallel", fn_);
    auto *ser = llvm::BasicBlock::Create(ctx_, "expr.serial", fn_);
    auto *joined = llvm::BasicBlock::Create(ctx_, "expr.joined", fn_);
    b_.CreateCondBr(b_.CreateICmpSGE(n, llvm::ConstantInt::get(i64_, kParallelThreshold)), par,
                    ser);
    b_.SetInsertPoint(ser);
    serial_flat();
    b_.CreateBr(joined);
    b_.SetInsertPoint(par);
    std::vector<V> captures = {data};
    for (const ExprLeaf &leaf : tree.leaves) captures.push_back(leaf.v);
    run_on_pool(
        n, captures, nullptr,
        [&](V lo, V hi, const std::vector<V> &inside, V) {
          ExprTree local = tree;
          for (size_t k = 0; k < local.leaves.size(); ++k) local.leaves[k].v = inside[k + 1];
          emit_loop(
              b_.CreateSub(hi, lo),
              [&](V j) {
                V i = b_.CreateAdd(lo, j);
                V e = eval_element(local, root, {}, i);
                TypeId rt0 = type(root);
                if (types_.kind(rt0) == TypeKind::Optional) rt0 = types_.get(rt0).elems[0];
                TypeId from = types_.is_array(rt0) ? types_.scalar(types_.dtype(rt0)) : rt0;
                store(b_.CreateInBoundsGEP(et, inside[0], i), convert(e, from, root_elem));
              },
              "chunk");
        },
        nullptr);
    b_.CreateBr(joined);
    b_.SetInsertPoint(joined);
  }
  b_.CreateBr(done);
  b_.SetInsertPoint(strided_bb);
  general();
  b_.CreateBr(done);
  b_.SetInsertPoint(done);
}

void FunctionLowerer::evaluate_into(V dst, TypeId dst_type, Value root, ExprTree &tree,
                                    const std::vector<V> &shape, bool fresh) {
  if (fresh) {
    evaluate_direct(dst, dst_type, root, tree, shape);
    return;
  }
  // When an operand reads the destination's buffer through another view (a[1:] += a[:-1]),
  // NumPy's result is as if the operands were read first: evaluate into a temporary.
  V alias = llvm::ConstantInt::getFalse(ctx_);
  for (const ExprLeaf &leaf : tree.leaves) {
    if (!types_.is_array(leaf.type)) continue;
    V overlaps = memory_overlaps(leaf.v, leaf.type, dst, dst_type);
    V same_view =
        b_.CreateICmpEQ(array_field(leaf.v, DataModel::kData), array_field(dst, DataModel::kData));
    if (types_.ndim(leaf.type) == types_.ndim(dst_type))
      for (int k = 0; k < types_.ndim(dst_type); ++k)
        same_view = b_.CreateAnd(
            same_view, b_.CreateAnd(b_.CreateICmpEQ(array_dim(leaf.v, DataModel::kStrides, k),
                                                    array_dim(dst, DataModel::kStrides, k)),
                                    b_.CreateICmpEQ(array_dim(leaf.v, DataModel::kShape, k),
                                                    shape[static_cast<size_t>(k)])));
    else
      same_view = llvm::ConstantInt::getFalse(ctx_);
    alias = b_.CreateOr(alias, b_.CreateAnd(overlaps, b_.CreateNot(same_view)));
  }
  auto *direct = llvm::BasicBlock::Create(ctx_, "expr.direct", fn_);
  auto *copy = llvm::BasicBlock::Create(ctx_, "expr.copy", fn_);
  auto *done = llvm::BasicBlock::Create(ctx_, "expr.done", fn_);
  b_.CreateCondBr(alias, copy, direct);
  b_.SetInsertPoint(direct);
  evaluate_direct(dst, dst_type, root, tree, shape);
  b_.CreateBr(done);
  b_.SetInsertPoint(copy);
  ScalarKind dk = types_.dtype(dst_type);
  TypeId tmp_type = types_.array(dk, static_cast<int>(shape.size()), Layout::C);
  V tmp = allocate_array(tmp_type, shape);
  evaluate_direct(tmp, tmp_type, root, tree, shape);
  emit_nd_loop(shape, [&](const std::vector<V> &idx) {
    store_element(element_pointer(dst, dst_type, idx),
                  load_element(element_pointer(tmp, tmp_type, idx), dk), dk);
  });
  meminfo_decref(array_field(tmp, DataModel::kMeminfo));
  b_.CreateBr(done);
  b_.SetInsertPoint(done);
}

V FunctionLowerer::lower_elementwise(const InstData &d) {
  ElementwiseTyping et;
  internal_assert(type_elementwise(types_, f_, d, &et)) << "not element-wise";
  ExprTree tree;
  collect_leaves(d.result, tree, true);
  TypeId rt = type(d.result);
  if (d.op == Op::BinOp && d.imm2 && types_.is_array(type(d.operands[0]))) {
    // a op= b: the result is `a` itself, updated element by element.
    V dst = get(d.operands[0]);
    for (const ExprLeaf &leaf : tree.leaves)
      if (types_.is_array(leaf.type) && types_.ndim(leaf.type) > types_.ndim(rt)) {
        // NumPy checks this when it runs (a ValueError), and so does ember: the update can
        // never succeed, but the function may not reach it.
        raise_if(llvm::ConstantInt::getTrue(ctx_), EMBER_EXC_ValueError,
                 "non-broadcastable output operand: the in-place operand has fewer dimensions "
                 "than the result");
        incref(dst, rt);
        return dst;
      }
    std::vector<V> shape;
    for (int k = 0; k < types_.ndim(rt); ++k) shape.push_back(array_dim(dst, DataModel::kShape, k));
    broadcast_shape(tree, types_.ndim(rt), &shape);
    evaluate_into(dst, rt, d.result, tree, shape, false);
    incref(dst, rt);
    return dst;
  }
  std::vector<V> shape = broadcast_shape(tree, et.ndim, nullptr);
  V out = allocate_array(rt, shape);
  evaluate_into(out, rt, d.result, tree, shape, true);
  return out;
}

}  // namespace ember
