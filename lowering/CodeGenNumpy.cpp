// NumPy functions that are neither element-wise nor reductions: shape manipulation (reshape,
// ravel, flatten, transpose, astype, fill, item), sorting (through the runtime's sort kernels),
// np.dot / @ (the runtime's gemm for float matrices, loops otherwise) and np.random (the
// runtime's per-thread generator).
#include "ember/abi.h"
#include "ir/rules/IndexAnalysis.h"
#include "ir/rules/RuntimeNeeds.h"
#include "lowering/FunctionLowerer.h"

namespace ember {

using V = llvm::Value *;

V FunctionLowerer::copy_to_contiguous(V a, TypeId at, TypeId ct) {
  std::vector<V> shape;
  for (int k = 0; k < types_.ndim(at); ++k) shape.push_back(array_dim(a, DataModel::kShape, k));
  V out = allocate_array(ct, shape);
  ScalarKind sk = types_.dtype(at), dk = types_.dtype(ct);
  TypeId st = types_.scalar(sk), dt = types_.scalar(dk);
  emit_nd_loop(shape, [&](const std::vector<V> &idx) {
    V x = load_element(element_pointer(a, at, idx), sk);
    store_element(element_pointer(out, ct, idx), convert(x, st, dt), dk);
  });
  return out;
}

V FunctionLowerer::lower_view_of(const InstData &d) {
  TypeId rt = type(d.result);
  V a = get(d.operands[1]);
  std::vector<V> shape, strides;
  shape_values(d.operands[2], &shape);
  shape_values(d.operands[3], &strides);
  V offset = convert(get(d.operands[4]), type(d.operands[4]), types_.int64());
  V data = b_.CreateGEP(i8_, array_field(a, DataModel::kData), offset);
  V out = make_array(rt, array_field(a, DataModel::kMeminfo), array_field(a, DataModel::kParent),
                     data, shape, strides);
  incref(out, rt);  // the view shares a's MemInfo
  return out;
}

V FunctionLowerer::lower_shape_op(const InstData &d, BuiltinId id) {
  TypeId rt = type(d.result);
  TypeId at = type(d.operands[1]);
  V a = get(d.operands[1]);
  switch (id) {
    case BuiltinId::NpReshape: {
      std::vector<V> dims;
      if (d.operands.size() == 3) {
        shape_values(d.operands[2], &dims);
      } else {
        for (size_t k = 2; k < d.operands.size(); ++k)
          dims.push_back(convert(get(d.operands[k]), type(d.operands[k]), types_.int64()));
      }
      // One dimension may be -1: it takes what the others leave.
      V n = array_field(a, DataModel::kNitems);
      V known = llvm::ConstantInt::get(i64_, 1);
      V unknown_count = llvm::ConstantInt::get(i64_, 0);
      llvm::Constant *minus1 = llvm::ConstantInt::get(i64_, static_cast<uint64_t>(-1), true);
      for (V dim : dims) {
        V is_unknown = b_.CreateICmpEQ(dim, minus1);
        known =
            b_.CreateMul(known, b_.CreateSelect(is_unknown, llvm::ConstantInt::get(i64_, 1), dim));
        unknown_count = b_.CreateAdd(unknown_count, b_.CreateZExt(is_unknown, i64_));
      }
      V safe_known = b_.CreateSelect(b_.CreateICmpEQ(known, llvm::ConstantInt::get(i64_, 0)),
                                     llvm::ConstantInt::get(i64_, 1), known);
      V inferred = b_.CreateSDiv(n, safe_known);
      for (V &dim : dims) dim = b_.CreateSelect(b_.CreateICmpEQ(dim, minus1), inferred, dim);
      V total = llvm::ConstantInt::get(i64_, 1);
      V negative = b_.CreateICmpUGT(unknown_count, llvm::ConstantInt::get(i64_, 1));
      for (V dim : dims) {
        total = b_.CreateMul(total, dim);
        negative = b_.CreateOr(negative, b_.CreateICmpSLT(dim, llvm::ConstantInt::get(i64_, 0)));
      }
      raise_if(b_.CreateOr(negative, b_.CreateICmpNE(total, n)), EMBER_EXC_ValueError,
               "cannot reshape the array into the requested shape");
      // A C-contiguous array is reshaped in place (a view); any other is copied first.
      TypeId ct = types_.array(types_.dtype(at), types_.ndim(at), Layout::C);
      bool view = shape_op_is_view(types_, id, at);
      V src = view ? a : copy_to_contiguous(a, at, ct);
      std::vector<V> strides(dims.size());
      V stride =
          llvm::ConstantInt::get(i64_, static_cast<uint64_t>(bit_width(types_.dtype(at)) / 8));
      for (size_t k = dims.size(); k-- > 0;) {
        strides[k] = stride;
        stride = b_.CreateMul(stride, dims[k]);
      }
      V out = make_array(rt, array_field(src, DataModel::kMeminfo),
                         array_field(src, DataModel::kParent), array_field(src, DataModel::kData),
                         dims, strides);
      if (view) incref(out, rt);
      return out;
    }
    case BuiltinId::NpRavel:
    case BuiltinId::ArrayFlatten: {
      bool view = shape_op_is_view(types_, id, at);
      TypeId ct = types_.array(types_.dtype(at), types_.ndim(at), Layout::C);
      V src = view ? a : copy_to_contiguous(a, at, ct);
      V itemsize =
          llvm::ConstantInt::get(i64_, static_cast<uint64_t>(bit_width(types_.dtype(at)) / 8));
      V out = make_array(rt, array_field(src, DataModel::kMeminfo),
                         array_field(src, DataModel::kParent), array_field(src, DataModel::kData),
                         {array_field(src, DataModel::kNitems)}, {itemsize});
      if (view) incref(out, rt);
      return out;
    }
    case BuiltinId::NpTranspose: {
      std::vector<V> shape, strides;
      std::vector<Value> axes(d.operands.begin() + 2, d.operands.end());
      for (int k : transpose_axes(f_, axes, types_.ndim(at), d.loc)) {
        shape.push_back(array_dim(a, DataModel::kShape, k));
        strides.push_back(array_dim(a, DataModel::kStrides, k));
      }
      V out =
          make_array(rt, array_field(a, DataModel::kMeminfo), array_field(a, DataModel::kParent),
                     array_field(a, DataModel::kData), shape, strides);
      incref(out, rt);
      return out;
    }
    case BuiltinId::ArrayAstype: return copy_to_contiguous(a, at, rt);
    case BuiltinId::ArrayFill: {
      ScalarKind dk = types_.dtype(at);
      V x = convert(get(d.operands[2]), type(d.operands[2]), types_.scalar(dk));
      std::vector<V> shape;
      for (int k = 0; k < types_.ndim(at); ++k) shape.push_back(array_dim(a, DataModel::kShape, k));
      emit_nd_loop(shape, [&](const std::vector<V> &idx) {
        store_element(element_pointer(a, at, idx), x, dk);
      });
      return llvm::ConstantInt::get(i8_, 0);
    }
    case BuiltinId::ArrayItem: {
      if (d.operands.size() > 2) return load_element(item_pointer(d, a, at), types_.dtype(at));
      raise_if(b_.CreateICmpNE(array_field(a, DataModel::kNitems), llvm::ConstantInt::get(i64_, 1)),
               EMBER_EXC_ValueError, "can only convert an array of size 1 to a Python scalar");
      return load_element(array_field(a, DataModel::kData), types_.dtype(at));
    }
    default: internal_error << "not a shape operation";
  }
  return nullptr;
}

V FunctionLowerer::item_pointer(const InstData &d, V a, TypeId at) {
  int nd = types_.ndim(at);
  std::vector<V> idx;
  auto checked = [&](V i, TypeId it, V n) {
    i = b_.CreateSExtOrTrunc(convert(i, it, types_.int64()), i64_);
    i = b_.CreateSelect(b_.CreateICmpSLT(i, llvm::ConstantInt::get(i64_, 0)), b_.CreateAdd(i, n),
                        i);
    raise_if(b_.CreateICmpUGE(i, n), EMBER_EXC_IndexError, "index out of bounds for a.item()");
    return i;
  };
  TypeId t2 = type(d.operands[2]);
  if (d.operands.size() == 3 && types_.kind(t2) == TypeKind::Tuple) {
    const auto &elems = types_.get(t2).elems;
    for (unsigned k = 0; k < elems.size(); ++k)
      idx.push_back(checked(from_memory(b_.CreateExtractValue(get(d.operands[2]), {k}), elems[k]),
                            elems[k], array_dim(a, DataModel::kShape, static_cast<int>(k))));
  } else if (d.operands.size() == 3 && nd != 1) {
    // a flat index in C order, as NumPy's a.item(k)
    V flat = checked(get(d.operands[2]), t2, array_field(a, DataModel::kNitems));
    idx.resize(static_cast<size_t>(nd));
    for (int k = nd - 1; k >= 0; --k) {
      V n = array_dim(a, DataModel::kShape, k);
      idx[static_cast<size_t>(k)] = b_.CreateURem(flat, n);
      flat = b_.CreateUDiv(flat, n);
    }
  } else {
    for (size_t k = 2; k < d.operands.size(); ++k)
      idx.push_back(checked(get(d.operands[k]), type(d.operands[k]),
                            array_dim(a, DataModel::kShape, static_cast<int>(k - 2))));
  }
  return element_pointer(a, at, idx);
}

V FunctionLowerer::lower_sorting(const InstData &d, BuiltinId id) {
  TypeId at = type(d.operands[1]);
  TypeId rt = type(d.result);
  V a = get(d.operands[1]);
  ScalarKind dk = types_.dtype(at);
  auto sort_fn = [&](bool argsort) { return runtime(sort_runtime_fn(dk, argsort)); };
  // Sorts run along the last axis: one runtime call per row.
  int nd = types_.ndim(at);
  V n = nd > 0 ? array_dim(a, DataModel::kShape, nd - 1) : nullptr;
  auto for_each_row = [&](V arr, TypeId t, const std::function<void(V row)> &body) {
    std::vector<V> outer;
    for (int k = 0; k + 1 < nd; ++k) outer.push_back(array_dim(arr, DataModel::kShape, k));
    emit_nd_loop(outer, [&](const std::vector<V> &idx) {
      std::vector<V> at0 = idx;
      at0.push_back(llvm::ConstantInt::get(i64_, 0));
      body(element_pointer(arr, t, at0));
    });
  };
  auto guard_empty_rows = [&](const std::function<void()> &body) {
    // element_pointer of [.., 0] is only meaningful when rows are non-empty.
    auto *go = llvm::BasicBlock::Create(ctx_, "sort.rows", fn_);
    auto *done = llvm::BasicBlock::Create(ctx_, "sort.done", fn_);
    b_.CreateCondBr(b_.CreateICmpSGT(n, llvm::ConstantInt::get(i64_, 0)), go, done);
    b_.SetInsertPoint(go);
    body();
    b_.CreateBr(done);
    b_.SetInsertPoint(done);
  };
  V itemsize = llvm::ConstantInt::get(i64_, static_cast<uint64_t>(bit_width(dk) / 8));
  switch (id) {
    case BuiltinId::ArraySort: {
      V stride = array_dim(a, DataModel::kStrides, nd - 1);
      guard_empty_rows([&] {
        for_each_row(a, at, [&](V row) {
          b_.CreateCall(sort_fn(false), {row, n, stride});
          if (is_time(dk)) nat_last(row, n, stride);  // NumPy sorts NaT last
        });
      });
      return llvm::ConstantInt::get(i8_, 0);
    }
    case BuiltinId::NpSort: {
      V out = copy_to_contiguous(a, at, rt);
      guard_empty_rows([&] {
        for_each_row(out, rt, [&](V row) {
          b_.CreateCall(sort_fn(false), {row, n, itemsize});
          if (is_time(dk)) nat_last(row, n, itemsize);  // NumPy sorts NaT last
        });
      });
      return out;
    }
    case BuiltinId::NpArgsort: {
      std::vector<V> shape;
      for (int k = 0; k < nd; ++k) shape.push_back(array_dim(a, DataModel::kShape, k));
      V out = allocate_array(rt, shape);
      V stride = array_dim(a, DataModel::kStrides, nd - 1);
      guard_empty_rows([&] {
        std::vector<V> outer(shape.begin(), shape.end() - 1);
        emit_nd_loop(outer, [&](const std::vector<V> &idx) {
          std::vector<V> at0 = idx;
          at0.push_back(llvm::ConstantInt::get(i64_, 0));
          V values = element_pointer(a, at, at0), indices = element_pointer(out, rt, at0);
          b_.CreateCall(sort_fn(true), {values, n, stride, indices});
          if (is_time(dk)) nat_last_indices(values, n, stride, indices);  // NaT last
        });
      });
      return out;
    }
    case BuiltinId::NpUnique: {
      // Sort a flat copy, then keep the first of every run of equal values (NaNs are one run).
      TypeId flat_t = types_.array(dk, 1, Layout::C);
      TypeId ct = types_.array(dk, types_.ndim(at), Layout::C);
      V copy = copy_to_contiguous(a, at, ct);
      V total = array_field(copy, DataModel::kNitems);
      V data = array_field(copy, DataModel::kData);
      b_.CreateCall(sort_fn(false), {data, total, itemsize});
      llvm::Type *et = mt(types_.scalar(dk));
      auto differs = [&](V i) {
        V x = load_element(b_.CreateInBoundsGEP(et, data, i), dk);
        V prev = load_element(
            b_.CreateInBoundsGEP(et, data, b_.CreateSub(i, llvm::ConstantInt::get(i64_, 1))), dk);
        V first = b_.CreateICmpEQ(i, llvm::ConstantInt::get(i64_, 0));
        V same = lower_compare(CmpKind::Eq, x, prev, types_.scalar(dk));
        if (is_float(dk))
          same =
              b_.CreateOr(same, b_.CreateAnd(b_.CreateFCmpUNO(x, x), b_.CreateFCmpUNO(prev, prev)));
        return b_.CreateOr(first, b_.CreateNot(same));
      };
      V count = entry_alloca(i64_, "nunique");
      b_.CreateStore(llvm::ConstantInt::get(i64_, 0), count);
      emit_loop(total, [&](V i) {
        V c = b_.CreateLoad(i64_, count);
        b_.CreateStore(b_.CreateAdd(c, b_.CreateZExt(differs(i), i64_)), count);
      });
      V out = allocate_array(flat_t, {b_.CreateLoad(i64_, count)});
      V odata = array_field(out, DataModel::kData);
      b_.CreateStore(llvm::ConstantInt::get(i64_, 0), count);
      emit_loop(total, [&](V i) {
        auto *keep = llvm::BasicBlock::Create(ctx_, "unique.keep", fn_);
        auto *next = llvm::BasicBlock::Create(ctx_, "unique.next", fn_);
        b_.CreateCondBr(differs(i), keep, next);
        b_.SetInsertPoint(keep);
        V c = b_.CreateLoad(i64_, count);
        b_.CreateStore(b_.CreateLoad(et, b_.CreateInBoundsGEP(et, data, i)),
                       b_.CreateInBoundsGEP(et, odata, c));
        b_.CreateStore(b_.CreateAdd(c, llvm::ConstantInt::get(i64_, 1)), count);
        b_.CreateBr(next);
        b_.SetInsertPoint(next);
      });
      meminfo_decref(array_field(copy, DataModel::kMeminfo));
      return out;
    }
    default: internal_error << "not a sorting builtin";
  }
  return nullptr;
}

V FunctionLowerer::lower_dot(V a, TypeId at, V b, TypeId bt, TypeId rt) {
  int na = types_.ndim(at), nb = types_.ndim(bt);
  ScalarKind rk = types_.is_array(rt) ? types_.dtype(rt) : types_.scalar_kind(rt);
  TypeId rkt = types_.scalar(rk);
  ScalarKind ak = types_.dtype(at), bk = types_.dtype(bt);
  TypeId akt = types_.scalar(ak), bkt = types_.scalar(bk);
  V inner_a = array_dim(a, DataModel::kShape, na - 1);
  V inner_b = array_dim(b, DataModel::kShape, 0);
  raise_if(b_.CreateICmpNE(inner_a, inner_b), EMBER_EXC_ValueError,
           "shapes not aligned: the inner dimensions of the product differ");
  auto dot_loop = [&](const std::function<std::pair<V, V>(V)> &elems) {
    V acc = entry_alloca(vt(rkt), "dot");
    b_.CreateStore(scalar_zero(rk), acc);
    emit_loop(inner_a, [&](V k) {
      auto [x, y] = elems(k);
      V p = lower_binop(BinOpKind::Mul, convert(x, akt, rkt), convert(y, bkt, rkt), rkt, false);
      V s = lower_binop(BinOpKind::Add, b_.CreateLoad(vt(rkt), acc), p, rkt, false);
      if (auto *inst = llvm::dyn_cast<llvm::Instruction>(s))
        if (llvm::isa<llvm::FPMathOperator>(inst)) inst->setHasAllowReassoc(true);
      b_.CreateStore(s, acc);
    });
    return b_.CreateLoad(vt(rkt), acc);
  };
  auto ld = [&](V arr, TypeId t, std::vector<V> idx) {
    return load_element(element_pointer(arr, t, idx), types_.dtype(t));
  };
  if (na == 1 && nb == 1)
    return dot_loop([&](V k) { return std::make_pair(ld(a, at, {k}), ld(b, bt, {k})); });
  if (na == 2 && nb == 1) {
    V m = array_dim(a, DataModel::kShape, 0);
    V out = allocate_array(rt, {m});
    emit_loop(m, [&](V i) {
      V s = dot_loop([&](V k) { return std::make_pair(ld(a, at, {i, k}), ld(b, bt, {k})); });
      store_element(element_pointer(out, rt, {i}), s, rk);
    });
    return out;
  }
  if (na == 1 && nb == 2) {
    V n = array_dim(b, DataModel::kShape, 1);
    V out = allocate_array(rt, {n});
    emit_loop(n, [&](V j) {
      V s = dot_loop([&](V k) { return std::make_pair(ld(a, at, {k}), ld(b, bt, {k, j})); });
      store_element(element_pointer(out, rt, {j}), s, rk);
    });
    return out;
  }
  V m = array_dim(a, DataModel::kShape, 0), n = array_dim(b, DataModel::kShape, 1);
  V out = allocate_array(rt, {m, n});
  if (dot_calls_gemm(types_, at, bt, rt)) {
    // Float matrices go to the runtime's gemm (BLAS when one is registered).
    b_.CreateCall(
        runtime(rk == ScalarKind::Float64 ? RuntimeFn::GemmF64 : RuntimeFn::GemmF32),
        {m, n, inner_a, array_field(a, DataModel::kData), stride_of(a, at, 0), stride_of(a, at, 1),
         array_field(b, DataModel::kData), stride_of(b, bt, 0), stride_of(b, bt, 1),
         array_field(out, DataModel::kData), stride_of(out, rt, 0), stride_of(out, rt, 1)});
    return out;
  }
  emit_loop(m, [&](V i) {
    emit_loop(n, [&](V j) {
      V s = dot_loop([&](V k) { return std::make_pair(ld(a, at, {i, k}), ld(b, bt, {k, j})); });
      store_element(element_pointer(out, rt, {i, j}), s, rk);
    });
  });
  return out;
}

V FunctionLowerer::lower_random(const InstData &d, BuiltinId id) {
  TypeId rt = type(d.result);
  size_t nargs = d.operands.size() - 1;
  auto arg = [&](size_t k) { return d.operands[k + 1]; };
  auto has = [&](size_t k) { return k < nargs && types_.kind(type(arg(k))) != TypeKind::None; };
  auto f64 = [&](size_t k, double dflt) -> V {
    return has(k) ? convert(get(arg(k)), type(arg(k)), types_.float64())
                  : llvm::ConstantFP::get(f64_, dflt);
  };
  auto uniform = [&] { return b_.CreateCall(runtime(RuntimeFn::RandomUniform), {}); };
  auto normal = [&] { return b_.CreateCall(runtime(RuntimeFn::RandomNormal), {}); };
  auto integer = [&](V lo, V hi) {
    return b_.CreateCall(runtime(RuntimeFn::RandomInteger), {lo, hi});
  };
  // Draws one value per element of a new array of the result's shape (or one scalar).
  auto draw = [&](const std::vector<V> &shape, const std::function<V()> &one) -> V {
    if (!types_.is_array(rt)) return one();
    V out = allocate_array(rt, shape);
    ScalarKind k = types_.dtype(rt);
    V data = array_field(out, DataModel::kData);
    emit_loop(array_field(out, DataModel::kNitems), [&](V i) {
      store_element(b_.CreateInBoundsGEP(mt(types_.scalar(k)), data, i), one(), k);
    });
    return out;
  };
  auto size_shape = [&](size_t k) {
    std::vector<V> shape;
    if (has(k)) shape_values(arg(k), &shape);
    return shape;
  };
  switch (id) {
    case BuiltinId::NpRandomSeed: {
      b_.CreateCall(runtime(RuntimeFn::RandomSeed),
                    {convert(get(arg(0)), type(arg(0)), types_.int64())});
      return llvm::ConstantInt::get(i8_, 0);
    }
    case BuiltinId::NpRandomRandom: return draw(size_shape(0), uniform);
    case BuiltinId::NpRandomStandardNormal: return draw(size_shape(0), normal);
    case BuiltinId::NpRandomRand:
    case BuiltinId::NpRandomRandn: {
      std::vector<V> shape;
      for (size_t k = 0; k < nargs; ++k)
        shape.push_back(convert(get(arg(k)), type(arg(k)), types_.int64()));
      return draw(shape, id == BuiltinId::NpRandomRand ? std::function<V()>(uniform)
                                                       : std::function<V()>(normal));
    }
    case BuiltinId::NpRandomUniform: {
      V lo = f64(0, 0.0), hi = f64(1, 1.0);
      V span = b_.CreateFSub(hi, lo);
      return draw(size_shape(2), [&] { return b_.CreateFAdd(lo, b_.CreateFMul(span, uniform())); });
    }
    case BuiltinId::NpRandomNormal: {
      V loc = f64(0, 0.0), scale = f64(1, 1.0);
      raise_if(b_.CreateFCmpOLT(scale, llvm::ConstantFP::get(f64_, 0.0)), EMBER_EXC_ValueError,
               "scale < 0");
      return draw(size_shape(2),
                  [&] { return b_.CreateFAdd(loc, b_.CreateFMul(scale, normal())); });
    }
    case BuiltinId::NpRandomRandint: {
      V a = convert(get(arg(0)), type(arg(0)), types_.int64());
      V lo = has(1) ? a : llvm::ConstantInt::get(i64_, 0);
      V hi = has(1) ? convert(get(arg(1)), type(arg(1)), types_.int64()) : a;
      raise_if(b_.CreateICmpSGE(lo, hi), EMBER_EXC_ValueError, "low >= high");
      return draw(size_shape(2), [&] { return integer(lo, hi); });
    }
    case BuiltinId::NpRandomChoice: {
      TypeId at = type(arg(0));
      if (types_.is_array(at)) {
        V a = get(arg(0));
        V n = array_dim(a, DataModel::kShape, 0);
        raise_if(b_.CreateICmpSLE(n, llvm::ConstantInt::get(i64_, 0)), EMBER_EXC_ValueError,
                 "a cannot be empty unless no samples are taken");
        return draw(size_shape(1), [&] {
          return load_element(element_pointer(a, at, {integer(llvm::ConstantInt::get(i64_, 0), n)}),
                              types_.dtype(at));
        });
      }
      V n = convert(get(arg(0)), at, types_.int64());
      raise_if(b_.CreateICmpSLE(n, llvm::ConstantInt::get(i64_, 0)), EMBER_EXC_ValueError,
               "a must be greater than 0");
      return draw(size_shape(1), [&] { return integer(llvm::ConstantInt::get(i64_, 0), n); });
    }
    default: internal_error << "not a random builtin";
  }
  return nullptr;
}

}  // namespace ember
