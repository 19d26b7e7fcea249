// Reductions: np.sum prod min max mean std var argmin argmax any all over the whole array or
// one axis, and np.cumsum / np.cumprod.  Accumulators live in entry-block allocas that
// mem2reg turns into loop phis; float sums carry `reassoc` so the loop vectorizer may keep
// several partial sums (as NumPy's pairwise summation, the order of additions is not Python's).
// Timedeltas and datetimes reduce as their int64 counts with NumPy's NaT rules (lowering/
// CodeGenDatetime.cpp): a NaT makes a sum, mean, min or max NaT and is argmin/argmax's answer.
#include <cmath>

#include "ember/abi.h"
#include "lowering/FunctionLowerer.h"

namespace ember {

using V = llvm::Value *;

void FunctionLowerer::for_each_element(V arr, TypeId t, const std::function<void(V, V)> &body) {
  ScalarKind dk = types_.dtype(t);
  if (types_.layout(t) == Layout::C || types_.ndim(t) == 0) {
    V data = array_field(arr, DataModel::kData);
    llvm::Type *et = mt(types_.scalar(dk));
    emit_loop(
        array_field(arr, DataModel::kNitems),
        [&](V i) { body(load_element(b_.CreateInBoundsGEP(et, data, i), dk), i); }, "elems");
    return;
  }
  V counter = entry_alloca(i64_, "flat");
  b_.CreateStore(llvm::ConstantInt::get(i64_, 0), counter);
  std::vector<V> shape;
  for (int k = 0; k < types_.ndim(t); ++k) shape.push_back(array_dim(arr, DataModel::kShape, k));
  emit_nd_loop(shape, [&](const std::vector<V> &idx) {
    V flat = b_.CreateLoad(i64_, counter);
    body(load_element(element_pointer(arr, t, idx), dk), flat);
    b_.CreateStore(b_.CreateAdd(flat, llvm::ConstantInt::get(i64_, 1)), counter);
  });
}

namespace {

/// How one reduction accumulates: init() before the elements, step() per element (with its
/// index along the reduced range), finish() after them.
struct Reducer {
  virtual ~Reducer() = default;
  virtual void init() = 0;
  virtual void step(V elem, V index) = 0;
  virtual V finish(V count) = 0;
  /// Raises NumPy's ValueError when `count` elements are too few (min/max/argmin/argmax of
  /// none); called before anything is allocated, so the raise leaves nothing behind.
  virtual void check_count(V count) {}
};

}  // namespace

V FunctionLowerer::reduce_add(V a, V b, TypeId t) {
  ScalarKind k = types_.scalar_kind(t);
  if (is_time(k)) return lower_time_binop(BinOpKind::Add, a, k, b, k, SourceLoc{});
  V r = lower_binop(BinOpKind::Add, a, b, t, false);
  if (auto *inst = llvm::dyn_cast<llvm::Instruction>(r))
    if (llvm::isa<llvm::FPMathOperator>(inst)) inst->setHasAllowReassoc(true);
  return r;
}

V FunctionLowerer::lower_reduction(const InstData &d, BuiltinId id) {
  TypeId at = type(d.operands[1]);
  TypeId rt = type(d.result);
  int64_t ddof = 0;
  if ((id == BuiltinId::NpStd || id == BuiltinId::NpVar) && d.operands.size() > 5 &&
      types_.kind(type(d.operands[5])) != TypeKind::None && !f_.const_int(d.operands[5], &ddof))
    unsupported(d.loc) << "ddof must be a constant integer in compiled code";
  // np.sum(3.0): a scalar "array" reduces to itself (or its conversion).
  if (!types_.is_array(at)) {
    V x = get(d.operands[1]);
    TypeId src = types_.kind(at) == TypeKind::Optional ? types_.get(at).elems[0] : at;
    x = convert(x, at, src);
    switch (id) {
      case BuiltinId::NpArgmin:
      case BuiltinId::NpArgmax: return llvm::ConstantInt::get(i64_, 0);
      case BuiltinId::NpAny:
      case BuiltinId::NpAll: return truth(x, src);
      case BuiltinId::NpStd:
      case BuiltinId::NpVar:  // 0 / max(1 - ddof, 0), as NumPy
        return llvm::ConstantFP::get(vt(rt), ddof >= 1 ? std::nan("") : 0.0);
      case BuiltinId::NpCumsum:
      case BuiltinId::NpCumprod: {
        V arr = allocate_array(rt, {llvm::ConstantInt::get(i64_, 1)});
        store_element(array_field(arr, DataModel::kData),
                      convert(x, src, types_.scalar(types_.dtype(rt))), types_.dtype(rt));
        return arr;
      }
      default: return convert(x, src, rt);
    }
  }
  V a = get(d.operands[1]);
  ScalarKind dk = types_.dtype(at);
  TypeId elem_t = types_.scalar(dk);
  int ndim = types_.ndim(at);
  int axis = -1;
  int64_t axis_value;
  if (d.operands.size() > 2 && f_.const_int(d.operands[2], &axis_value))
    axis = static_cast<int>(axis_value < 0 ? axis_value + ndim : axis_value);
  if (id == BuiltinId::NpCumsum || id == BuiltinId::NpCumprod)
    return lower_cumulative(a, at, rt, id, axis);
  ScalarKind rk = types_.is_array(rt) ? types_.dtype(rt) : types_.scalar_kind(rt);
  TypeId rkt = types_.scalar(rk);

  // The accumulator kind: sums of ints in int64/uint64, means and moments in float64 (or the
  // float32 of a float32 array), min/max in the element kind.
  ScalarKind acc_k = rk;
  if (id == BuiltinId::NpMean || id == BuiltinId::NpStd || id == BuiltinId::NpVar)
    acc_k = is_complex(dk) ? ScalarKind::Complex128 : is_time(dk) ? dk : ScalarKind::Float64;
  // float16 sums and products accumulate in float32 and round once, as NumPy's do (means
  // accumulate in float64, where NumPy uses float32).
  if (rk == ScalarKind::Float16 && (id == BuiltinId::NpSum || id == BuiltinId::NpProd))
    acc_k = ScalarKind::Float32;
  TypeId acc_t = types_.scalar(acc_k);
  llvm::Type *acc_llvm = vt(acc_t);
  FunctionLowerer &L = *this;

  struct Sum : Reducer {
    FunctionLowerer &L;
    bool prod;
    TypeId acc_t, elem_t;
    llvm::Value *acc;
    Sum(FunctionLowerer &l, bool p, TypeId a, TypeId e, llvm::Type *t)
        : L(l), prod(p), acc_t(a), elem_t(e) {
      acc = L.entry_alloca(t, "acc");
    }
    void init() override {
      L.b_.CreateStore(prod ? L.scalar_one(L.types_.scalar_kind(acc_t))
                            : L.scalar_zero(L.types_.scalar_kind(acc_t)),
                       acc);
    }
    void step(V x, V) override {
      V cur = L.b_.CreateLoad(L.vt(acc_t), acc);
      V e = L.convert(x, elem_t, acc_t);
      V r =
          prod ? L.lower_binop(BinOpKind::Mul, cur, e, acc_t, false) : L.reduce_add(cur, e, acc_t);
      if (auto *inst = llvm::dyn_cast<llvm::Instruction>(r))  // reduce_add's already has it
        if (llvm::isa<llvm::FPMathOperator>(inst)) inst->setHasAllowReassoc(true);
      L.b_.CreateStore(r, acc);
    }
    V finish(V) override { return L.b_.CreateLoad(L.vt(acc_t), acc); }
  };
  struct MinMax : Reducer {
    FunctionLowerer &L;
    bool is_max;
    TypeId elem_t;
    llvm::Value *acc, *seen;
    MinMax(FunctionLowerer &l, bool m, TypeId e) : L(l), is_max(m), elem_t(e) {
      acc = L.entry_alloca(L.vt(e), "best");
      seen = L.entry_alloca(L.i1_, "seen");
    }
    void init() override {
      L.b_.CreateStore(llvm::ConstantInt::getFalse(L.ctx_), seen);
      L.b_.CreateStore(L.scalar_zero(L.types_.scalar_kind(elem_t)), acc);
    }
    void step(V x, V) override {
      V cur = L.b_.CreateLoad(L.vt(elem_t), acc);
      V first = L.b_.CreateNot(L.b_.CreateLoad(L.i1_, seen));
      ScalarKind k = L.types_.scalar_kind(elem_t);
      V better;
      if (is_float(k))  // NaN propagates, as in NumPy
        better = L.b_.CreateBinaryIntrinsic(
            is_max ? llvm::Intrinsic::maximum : llvm::Intrinsic::minimum, cur, x);
      else if (is_time(k))  // NaT too (NumPy 2)
        better = L.nat_min_max(is_max, cur, x);
      else
        better = L.scalar_min_max(is_max, cur, x, k);
      L.b_.CreateStore(L.b_.CreateSelect(first, x, better), acc);
      L.b_.CreateStore(llvm::ConstantInt::getTrue(L.ctx_), seen);
    }
    void check_count(V count) override {
      L.raise_if(L.b_.CreateICmpEQ(count, llvm::ConstantInt::get(L.i64_, 0)), EMBER_EXC_ValueError,
                 is_max ? "zero-size array to reduction operation maximum which has no identity"
                        : "zero-size array to reduction operation minimum which has no identity");
    }
    V finish(V) override { return L.b_.CreateLoad(L.vt(elem_t), acc); }
  };
  struct ArgBest : Reducer {
    FunctionLowerer &L;
    bool is_max;
    TypeId elem_t;
    llvm::Value *best, *index;
    ArgBest(FunctionLowerer &l, bool m, TypeId e) : L(l), is_max(m), elem_t(e) {
      best = L.entry_alloca(L.vt(e), "best");
      index = L.entry_alloca(L.i64_, "argbest");
    }
    void init() override {
      L.b_.CreateStore(llvm::ConstantInt::get(L.i64_, static_cast<uint64_t>(-1), true), index);
      L.b_.CreateStore(L.scalar_zero(L.types_.scalar_kind(elem_t)), best);
    }
    void step(V x, V i) override {
      V cur = L.b_.CreateLoad(L.vt(elem_t), best);
      V idx = L.b_.CreateLoad(L.i64_, index);
      V first = L.b_.CreateICmpSLT(idx, llvm::ConstantInt::get(L.i64_, 0));
      ScalarKind k = L.types_.scalar_kind(elem_t);
      V take;
      if (is_complex(k)) {
        take = L.complex_takes(is_max, cur, x);
      } else if (is_time(k)) {  // the first NaT wins, as NumPy's
        V x_nat = L.is_nat(x), cur_nat = L.is_nat(cur);
        V cmp = is_max ? L.b_.CreateICmpSGT(x, cur) : L.b_.CreateICmpSLT(x, cur);
        take = L.b_.CreateAnd(L.b_.CreateNot(cur_nat), L.b_.CreateOr(cmp, x_nat));
      } else if (is_float(k)) {
        // The first NaN wins, as in NumPy.
        V x_nan = L.b_.CreateFCmpUNO(x, x), cur_nan = L.b_.CreateFCmpUNO(cur, cur);
        V cmp = is_max ? L.b_.CreateFCmpOGT(x, cur) : L.b_.CreateFCmpOLT(x, cur);
        take = L.b_.CreateAnd(L.b_.CreateNot(cur_nan), L.b_.CreateOr(cmp, x_nan));
      } else if (k == ScalarKind::Bool || !is_signed(k)) {
        take = is_max ? L.b_.CreateICmpUGT(x, cur) : L.b_.CreateICmpULT(x, cur);
      } else {
        take = is_max ? L.b_.CreateICmpSGT(x, cur) : L.b_.CreateICmpSLT(x, cur);
      }
      take = L.b_.CreateOr(first, take);
      L.b_.CreateStore(L.b_.CreateSelect(take, x, cur), best);
      L.b_.CreateStore(L.b_.CreateSelect(take, i, idx), index);
    }
    void check_count(V count) override {
      L.raise_if(L.b_.CreateICmpEQ(count, llvm::ConstantInt::get(L.i64_, 0)), EMBER_EXC_ValueError,
                 "attempt to get argmax or argmin of an empty sequence");
    }
    V finish(V) override { return L.b_.CreateLoad(L.i64_, index); }
  };
  struct Logical : Reducer {
    FunctionLowerer &L;
    bool all;
    TypeId elem_t;
    llvm::Value *acc;
    Logical(FunctionLowerer &l, bool a, TypeId e) : L(l), all(a), elem_t(e) {
      acc = L.entry_alloca(L.i1_, "any");
    }
    void init() override { L.b_.CreateStore(llvm::ConstantInt::get(L.i1_, all ? 1 : 0), acc); }
    void step(V x, V) override {
      V cur = L.b_.CreateLoad(L.i1_, acc);
      V t = L.truth(x, elem_t);
      L.b_.CreateStore(all ? L.b_.CreateAnd(cur, t) : L.b_.CreateOr(cur, t), acc);
    }
    V finish(V) override { return L.b_.CreateLoad(L.i1_, acc); }
  };
  struct Moments : Reducer {
    // Welford's one-pass mean and variance.  Complex values keep a complex mean and a real m2:
    // NumPy's variance of complex numbers is the mean of |x - mean|^2.
    FunctionLowerer &L;
    BuiltinId id;
    TypeId elem_t, acc_t, real_t;
    int64_t ddof;
    llvm::Value *n, *mean, *m2;
    Moments(FunctionLowerer &l, BuiltinId i, TypeId e, TypeId a, int64_t dd)
        : L(l), id(i), elem_t(e), acc_t(a), real_t(L.types_.float64()), ddof(dd) {
      n = L.entry_alloca(L.i64_, "n");
      mean = L.entry_alloca(L.vt(a), "mean");
      m2 = L.entry_alloca(L.vt(real_t), "m2");
    }
    bool complex() const { return is_complex(L.types_.scalar_kind(acc_t)); }
    void init() override {
      L.b_.CreateStore(llvm::ConstantInt::get(L.i64_, 0), n);
      L.b_.CreateStore(L.scalar_zero(L.types_.scalar_kind(acc_t)), mean);
      L.b_.CreateStore(L.scalar_zero(ScalarKind::Float64), m2);
    }
    void step(V x, V) override {
      V e = L.convert(x, elem_t, acc_t);
      V cnt = L.b_.CreateAdd(L.b_.CreateLoad(L.i64_, n), llvm::ConstantInt::get(L.i64_, 1));
      L.b_.CreateStore(cnt, n);
      V mu = L.b_.CreateLoad(L.vt(acc_t), mean);
      if (id == BuiltinId::NpMean) {  // a plain sum, divided at the end
        L.b_.CreateStore(L.reduce_add(mu, e, acc_t), mean);
        return;
      }
      V acc = L.b_.CreateLoad(L.vt(real_t), m2);
      V nf = L.b_.CreateSIToFP(cnt, L.f64_);
      if (!complex()) {
        V delta = L.b_.CreateFSub(e, mu);
        V mu2 = L.b_.CreateFAdd(mu, L.b_.CreateFDiv(delta, nf));
        L.b_.CreateStore(mu2, mean);
        L.b_.CreateStore(L.b_.CreateFAdd(acc, L.b_.CreateFMul(delta, L.b_.CreateFSub(e, mu2))), m2);
        return;
      }
      V term = nullptr;
      V mu2 = mu;
      for (unsigned part = 0; part < 2; ++part) {
        V ep = L.b_.CreateExtractValue(e, {part}), mp = L.b_.CreateExtractValue(mu, {part});
        V delta = L.b_.CreateFSub(ep, mp);
        V next = L.b_.CreateFAdd(mp, L.b_.CreateFDiv(delta, nf));
        mu2 = L.b_.CreateInsertValue(mu2, next, {part});
        V t = L.b_.CreateFMul(delta, L.b_.CreateFSub(ep, next));
        term = term ? L.b_.CreateFAdd(term, t) : t;
      }
      L.b_.CreateStore(mu2, mean);
      L.b_.CreateStore(L.b_.CreateFAdd(acc, term), m2);
    }
    V finish(V) override {
      V cnt = L.b_.CreateLoad(L.i64_, n);
      V mu = L.b_.CreateLoad(L.vt(acc_t), mean);
      ScalarKind ak = L.types_.scalar_kind(acc_t);
      if (id == BuiltinId::NpMean && is_time(ak))  // NumPy's td / count: truncates, NaT for none
        return L.lower_time_binop(BinOpKind::TrueDiv, mu, ak, cnt, ScalarKind::Int64, SourceLoc{});
      if (id == BuiltinId::NpMean) {
        TypeId ct = L.types_.scalar(ScalarKind::Float64);
        V nf = L.convert(cnt, L.types_.int64(), complex() ? acc_t : ct);
        return L.lower_binop(BinOpKind::TrueDiv, mu, nf, acc_t, false);
      }
      // NumPy divides by max(n - ddof, 0): inf or nan when ddof >= n.
      V dof = L.b_.CreateSub(cnt, llvm::ConstantInt::get(L.i64_, static_cast<uint64_t>(ddof)));
      dof = L.b_.CreateSelect(L.b_.CreateICmpSLT(dof, llvm::ConstantInt::get(L.i64_, 0)),
                              llvm::ConstantInt::get(L.i64_, 0), dof);
      V var = L.b_.CreateFDiv(L.b_.CreateLoad(L.vt(real_t), m2), L.b_.CreateSIToFP(dof, L.f64_));
      return id == BuiltinId::NpStd ? L.ms_.target.math(L.b_, MathFn::Sqrt, {var}) : var;
    }
  };

  // A reducer's allocas go to the entry of the function being emitted: make one per function.
  auto make = [&]() -> std::unique_ptr<Reducer> {
    switch (id) {
      case BuiltinId::NpSum:
      case BuiltinId::NpProd:
        return std::make_unique<Sum>(L, id == BuiltinId::NpProd, acc_t, elem_t, acc_llvm);
      case BuiltinId::NpMin:
      case BuiltinId::NpMax: return std::make_unique<MinMax>(L, id == BuiltinId::NpMax, elem_t);
      case BuiltinId::NpArgmin:
      case BuiltinId::NpArgmax:
        return std::make_unique<ArgBest>(L, id == BuiltinId::NpArgmax, elem_t);
      case BuiltinId::NpAny:
      case BuiltinId::NpAll: return std::make_unique<Logical>(L, id == BuiltinId::NpAll, elem_t);
      case BuiltinId::NpMean:
      case BuiltinId::NpStd:
      case BuiltinId::NpVar: return std::make_unique<Moments>(L, id, elem_t, acc_t, ddof);
      default: internal_error << "not a reduction";
    }
    return nullptr;
  };
  std::unique_ptr<Reducer> r = make();
  // Sums and means finish in the accumulator's type, std and var in float64; the others in the
  // result's.
  bool acc_result = id == BuiltinId::NpSum || id == BuiltinId::NpProd || id == BuiltinId::NpMean;
  bool moment = id == BuiltinId::NpStd || id == BuiltinId::NpVar;
  TypeId finish_t = moment ? types_.float64() : acc_result ? acc_t : rkt;
  bool splittable = id == BuiltinId::NpSum || id == BuiltinId::NpProd || id == BuiltinId::NpMin ||
                    id == BuiltinId::NpMax || id == BuiltinId::NpAny || id == BuiltinId::NpAll;
  if (axis < 0 && f_.flags.parallel && splittable && types_.layout(at) == Layout::C) {
    // parallel=True: a large contiguous array is reduced in chunks on the pool; the chunks'
    // partial results combine in chunk order.
    V n = array_field(a, DataModel::kNitems);
    V result = entry_alloca(vt(finish_t), "reduced");
    auto *par = llvm::BasicBlock::Create(ctx_, "reduce.parallel", fn_);
    auto *ser = llvm::BasicBlock::Create(ctx_, "reduce.serial", fn_);
    auto *joined = llvm::BasicBlock::Create(ctx_, "reduce.joined", fn_);
    b_.CreateCondBr(b_.CreateICmpSGE(n, llvm::ConstantInt::get(i64_, kParallelThreshold)), par,
                    ser);
    b_.SetInsertPoint(ser);
    r->check_count(n);
    r->init();
    for_each_element(a, at, [&](V x, V i) { r->step(x, i); });
    b_.CreateStore(r->finish(n), result);
    b_.CreateBr(joined);
    b_.SetInsertPoint(par);
    llvm::Type *slot_t = vt(finish_t);
    llvm::Type *et = mt(elem_t);
    V slots;
    V chunks = run_on_pool(
        n, {array_field(a, DataModel::kData)}, slot_t,
        [&](V lo, V hi, const std::vector<V> &inside, V slot) {
          std::unique_ptr<Reducer> part = make();
          part->init();
          emit_loop(
              b_.CreateSub(hi, lo),
              [&](V j) {
                V i = b_.CreateAdd(lo, j);
                part->step(load_element(b_.CreateInBoundsGEP(et, inside[0], i), dk), i);
              },
              "chunk");
          b_.CreateStore(part->finish(b_.CreateSub(hi, lo)), slot);
        },
        &slots);
    b_.CreateStore(b_.CreateLoad(slot_t, slots), result);
    emit_loop(
        b_.CreateSub(chunks, llvm::ConstantInt::get(i64_, 1)),
        [&](V c) {
          V p = b_.CreateLoad(
              slot_t,
              b_.CreateGEP(slot_t, slots, b_.CreateAdd(c, llvm::ConstantInt::get(i64_, 1))));
          V acc = b_.CreateLoad(slot_t, result);
          V next;
          ScalarKind fk = types_.scalar_kind(finish_t);
          switch (id) {
            case BuiltinId::NpSum: next = reduce_add(acc, p, finish_t); break;
            case BuiltinId::NpProd:
              next = lower_binop(BinOpKind::Mul, acc, p, finish_t, false);
              break;
            case BuiltinId::NpAny: next = b_.CreateOr(acc, p); break;
            case BuiltinId::NpAll: next = b_.CreateAnd(acc, p); break;
            default: {
              bool is_max = id == BuiltinId::NpMax;
              next = is_float(fk)
                         ? b_.CreateBinaryIntrinsic(
                               is_max ? llvm::Intrinsic::maximum : llvm::Intrinsic::minimum, acc, p)
                     : is_time(fk) ? nat_min_max(is_max, acc, p)
                                   : scalar_min_max(is_max, acc, p, fk);
            }
          }
          b_.CreateStore(next, result);
        },
        "combine");
    b_.CreateBr(joined);
    b_.SetInsertPoint(joined);
    return convert(b_.CreateLoad(vt(finish_t), result), finish_t, rkt);
  }
  if (axis < 0) {
    r->check_count(array_field(a, DataModel::kNitems));
    r->init();
    for_each_element(a, at, [&](V x, V i) { r->step(x, i); });
    return convert(r->finish(array_field(a, DataModel::kNitems)), finish_t, rkt);
  }
  // Along one axis: for each position of the other axes, reduce the axis.
  std::vector<V> out_shape;
  for (int k = 0; k < ndim; ++k)
    if (k != axis) out_shape.push_back(array_dim(a, DataModel::kShape, k));
  V extent = array_dim(a, DataModel::kShape, axis);
  r->check_count(extent);  // NumPy raises for an empty axis even when the result is empty
  V out = allocate_array(rt, out_shape);
  emit_nd_loop(out_shape, [&](const std::vector<V> &oidx) {
    r->init();
    emit_loop(extent, [&](V j) {
      std::vector<V> idx;
      size_t o = 0;
      for (int k = 0; k < ndim; ++k) idx.push_back(k == axis ? j : oidx[o++]);
      r->step(load_element(element_pointer(a, at, idx), dk), j);
    });
    V res = r->finish(extent);
    store_element(element_pointer(out, rt, oidx), convert(res, finish_t, rkt), rk);
  });
  return out;
}

V FunctionLowerer::lower_cumulative(V a, TypeId at, TypeId rt, BuiltinId id, int axis) {
  bool prod = id == BuiltinId::NpCumprod;
  ScalarKind rk = types_.dtype(rt);
  TypeId rkt = types_.scalar(rk);
  TypeId elem_t = types_.scalar(types_.dtype(at));
  if (axis >= 0 && types_.ndim(at) > 1)
    unsupported(current_ ? current_->loc : SourceLoc{})
        << "cumsum/cumprod along an axis of a "
           "multi-dimensional array is not supported yet";
  V out = allocate_array(rt, {array_field(a, DataModel::kNitems)});
  V data = array_field(out, DataModel::kData);
  V acc = entry_alloca(vt(rkt), "cum");
  b_.CreateStore(prod ? scalar_one(rk) : scalar_zero(rk), acc);
  for_each_element(a, at, [&](V x, V i) {
    V cur = b_.CreateLoad(vt(rkt), acc);
    V e = convert(x, elem_t, rkt);
    // No reassociation here: every partial sum is a result.
    V next = is_time(rk) ? lower_time_binop(BinOpKind::Add, cur, rk, e, rk, SourceLoc{})
                         : lower_binop(prod ? BinOpKind::Mul : BinOpKind::Add, cur, e, rkt, false);
    b_.CreateStore(next, acc);
    store_element(b_.CreateInBoundsGEP(mt(rkt), data, i), next, rk);
  });
  return out;
}

}  // namespace ember
