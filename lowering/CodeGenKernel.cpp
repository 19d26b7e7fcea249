// The kernel language (ember.cuda): thread and block indices, shared, local and constant arrays,
// barriers, fences, warp shuffles and votes, bit operations and atomics.  Everything that
// differs between machines is a question to the Target (Target.h, "execution model"), asked
// with the KernelSite of the operation; array structs, conversions and atomics are lowered
// here once.  Atomics are LLVM's atomicrmw and cmpxchg with monotonic ordering (CUDA's atomics
// are relaxed), which every backend lowers; float min and max follow numba-cuda's loops.
#include "ir/rules/Kernel.h"
#include "lowering/FunctionLowerer.h"

namespace ember {

using V = llvm::Value *;

KernelSite FunctionLowerer::kernel_site() const {
  return KernelSite{err_ptr_, current_ ? current_->loc.line : 0};
}

V FunctionLowerer::lower_kernel_attr(const InstData &d) {
  Target &target = ms_.target;
  auto attr = static_cast<AttrId>(d.aux);
  if (attr == AttrId::KernelValue) {
    const ModuleAttrs &attrs = f_.modules.at(types_.get(type(d.operands[0])).handle);
    BuiltinId id = attrs.at(f_.names[static_cast<size_t>(d.imm)]).builtin;
    if (id == BuiltinId::CudaWarpsize)
      return llvm::ConstantInt::get(i32_, static_cast<uint64_t>(target.warp_size()));
    return target.lane_id(b_, kernel_site());
  }
  auto id = static_cast<BuiltinId>(types_.get(type(d.operands[0])).a);
  auto query = static_cast<GridQuery>(grid_query_index(id));
  int axis = static_cast<int>(attr) - static_cast<int>(AttrId::GridAxisX);
  return target.thread_index(b_, query, axis, kernel_site());
}

std::vector<V> FunctionLowerer::c_strides(const std::vector<V> &shape, uint64_t itemsize) {
  std::vector<V> strides(shape.size());
  V s = llvm::ConstantInt::get(i64_, itemsize);
  for (size_t k = shape.size(); k-- > 0;) {
    strides[k] = s;
    s = b_.CreateMul(s, shape[k]);
  }
  return strides;
}

V FunctionLowerer::constant_array(const ConstValue &c, TypeId t) {
  const llvm::DataLayout &layout = ms_.module.getDataLayout();
  llvm::ArrayRef<uint8_t> bytes(reinterpret_cast<const uint8_t *>(c.str.data()), c.str.size());
  llvm::Constant *init = llvm::ConstantDataArray::get(ctx_, bytes);
  auto *gv = new llvm::GlobalVariable(
      ms_.module, init->getType(), true, llvm::GlobalValue::PrivateLinkage, init, "ember.const",
      nullptr, llvm::GlobalValue::NotThreadLocal, ms_.target.address_space(AddressSpace::Constant));
  gv->setAlignment(llvm::Align(64));
  gv->setUnnamedAddr(llvm::GlobalValue::UnnamedAddr::Global);
  V data = gv;
  if (gv->getType() != ptr_) data = b_.CreateAddrSpaceCast(gv, ptr_);
  std::vector<V> shape;
  for (int64_t e : c.shape) shape.push_back(llvm::ConstantInt::get(i64_, static_cast<uint64_t>(e)));
  uint64_t itemsize = layout.getTypeAllocSize(mt(types_.scalar(types_.dtype(t))));
  auto *null = llvm::ConstantPointerNull::get(llvm::cast<llvm::PointerType>(ptr_));
  return make_array(t, null, null, data, shape, c_strides(shape, itemsize));
}

V FunctionLowerer::lower_kernel_array(const InstData &d, BuiltinId id) {
  Target &target = ms_.target;
  TypeId rt = type(d.result);
  llvm::Type *et = mt(types_.scalar(types_.dtype(rt)));
  uint64_t itemsize = ms_.module.getDataLayout().getTypeAllocSize(et);
  std::vector<int64_t> dims;
  internal_assert(constant_shape(f_, d.operands[1], &dims)) << "a kernel array without a shape";
  auto *null = llvm::ConstantPointerNull::get(llvm::cast<llvm::PointerType>(ptr_));
  if (id == BuiltinId::CudaSharedArray && dims.size() == 1 && dims[0] == 0) {
    // The launch's dynamic shared memory, as many elements as fit (numba-cuda's rule); every
    // such array of a kernel starts at the same address.
    V bytes = nullptr;
    V data = target.dynamic_shared(b_, kernel_site(), &bytes);
    V n = b_.CreateUDiv(bytes, llvm::ConstantInt::get(i64_, itemsize));
    return make_array(rt, null, null, data, {n}, {llvm::ConstantInt::get(i64_, itemsize)});
  }
  uint64_t count = 1;
  std::vector<V> shape;
  for (int64_t e : dims) {
    count *= static_cast<uint64_t>(e);
    shape.push_back(llvm::ConstantInt::get(i64_, static_cast<uint64_t>(e)));
  }
  V data;
  if (id == BuiltinId::CudaSharedArray) {
    SharedArray a;
    a.align = std::max<uint64_t>(16, itemsize);
    a.offset = (ms_.static_shared_bytes + a.align - 1) / a.align * a.align;
    a.bytes = count * itemsize;
    a.element = et;
    a.count = count;
    a.name = "ember.shared." + std::to_string(ms_.shared_arrays++);
    ms_.static_shared_bytes = a.offset + a.bytes;
    data = target.shared_array(b_, a, kernel_site());
  } else {  // a thread's own array: a slot of its stack frame
    data = entry_alloca(llvm::ArrayType::get(et, count), "local.array");
  }
  return make_array(rt, null, null, data, shape, c_strides(shape, itemsize));
}

namespace {
/// A shuffled value as the integer the target moves: floats by their bits, narrow integers and
/// bools widened to i32.
V to_shuffle_bits(llvm::IRBuilder<> &b, V v, ScalarKind k) {
  llvm::Type *i32 = b.getInt32Ty(), *i64 = b.getInt64Ty();
  switch (k) {
    case ScalarKind::Float32: return b.CreateBitCast(v, i32);
    case ScalarKind::Float64: return b.CreateBitCast(v, i64);
    case ScalarKind::Int64:
    case ScalarKind::UInt64: return v;
    default: return is_signed(k) ? b.CreateSExtOrTrunc(v, i32) : b.CreateZExtOrTrunc(v, i32);
  }
}
V from_shuffle_bits(llvm::IRBuilder<> &b, V v, ScalarKind k, llvm::Type *t) {
  if (k == ScalarKind::Bool) return b.CreateICmpNE(v, llvm::ConstantInt::get(v->getType(), 0));
  if (t->isFloatingPointTy()) return b.CreateBitCast(v, t);
  return b.CreateTruncOrBitCast(v, t);
}
}  // namespace

V FunctionLowerer::lower_kernel_builtin(const InstData &d, BuiltinId id) {
  Target &target = ms_.target;
  KernelSite at = kernel_site();
  size_t nargs = d.operands.size() - 1;
  auto arg = [&](size_t k) { return get(d.operands[k + 1]); };
  auto argt = [&](size_t k) { return type(d.operands[k + 1]); };
  auto given = [&](size_t k) { return k < nargs && types_.kind(argt(k)) != TypeKind::None; };
  auto as_i32 = [&](size_t k) {
    return b_.CreateTrunc(convert(arg(k), argt(k), types_.int64()), i32_);
  };
  // Lane masks are as wide as the warp (i32; i64 on a 64-wide AMD wavefront), whatever width
  // typing gave the user's mask and the results (a device function typed for the CPU has 32).
  llvm::IntegerType *mask_t = b_.getIntNTy(static_cast<unsigned>(target.warp_size()));
  auto as_mask = [&](size_t k) {
    return b_.CreateZExtOrTrunc(convert(arg(k), argt(k), types_.int64()), mask_t);
  };
  auto full_mask = [&] { return llvm::ConstantInt::getAllOnesValue(mask_t); };
  TypeId rt = d.result.valid() ? type(d.result) : TypeId{};
  auto to_result = [&](V mask) { return b_.CreateZExtOrTrunc(mask, vt(rt)); };
  if (kernel_builtin_synchronizes(id)) ms_.synchronizes = true;
  if (is_kernel_atomic(id)) return lower_atomic(d, id);
  switch (id) {
    case BuiltinId::CudaGrid:
    case BuiltinId::CudaGridsize: {
      int64_t n = 1;
      f_.const_int(d.operands[1], &n);
      std::vector<V> parts;
      for (int axis = 0; axis < n; ++axis) {
        V dim = target.thread_index(b_, GridQuery::BlockDim, axis, at);
        if (id == BuiltinId::CudaGrid) {
          V block = target.thread_index(b_, GridQuery::BlockIdx, axis, at);
          V thread = target.thread_index(b_, GridQuery::ThreadIdx, axis, at);
          parts.push_back(
              b_.CreateAdd(b_.CreateMul(block, dim, "", true, true), thread, "", true, true));
        } else {
          V grid = target.thread_index(b_, GridQuery::GridDim, axis, at);
          parts.push_back(b_.CreateMul(dim, grid, "", true, true));
        }
      }
      if (n == 1) return parts[0];
      V tup = llvm::UndefValue::get(mt(rt));
      for (unsigned k = 0; k < parts.size(); ++k) tup = b_.CreateInsertValue(tup, parts[k], {k});
      return tup;
    }
    case BuiltinId::CudaSharedArray:
    case BuiltinId::CudaLocalArray: return lower_kernel_array(d, id);
    case BuiltinId::CudaConstArrayLike: return arg(0);  // the frozen array, already constant
    case BuiltinId::CudaSyncthreads:
      target.barrier(b_, BarrierOp::Sync, nullptr, at);
      return nullptr;
    case BuiltinId::CudaSyncthreadsCount:
    case BuiltinId::CudaSyncthreadsAnd:
    case BuiltinId::CudaSyncthreadsOr: {
      BarrierOp op = id == BuiltinId::CudaSyncthreadsCount ? BarrierOp::Count
                     : id == BuiltinId::CudaSyncthreadsAnd ? BarrierOp::And
                                                           : BarrierOp::Or;
      return target.barrier(b_, op, truth(arg(0), argt(0)), at);
    }
    case BuiltinId::CudaThreadfence: target.memory_fence(b_, FenceScope::Device); return nullptr;
    case BuiltinId::CudaThreadfenceBlock:
      target.memory_fence(b_, FenceScope::Block);
      return nullptr;
    case BuiltinId::CudaThreadfenceSystem:
      target.memory_fence(b_, FenceScope::System);
      return nullptr;
    case BuiltinId::CudaSyncwarp:
      target.warp_sync(b_, given(0) ? as_mask(0) : full_mask(), at);
      return nullptr;
    case BuiltinId::CudaShflSync:
    case BuiltinId::CudaShflUpSync:
    case BuiltinId::CudaShflDownSync:
    case BuiltinId::CudaShflXorSync: {
      ShuffleOp op = id == BuiltinId::CudaShflSync       ? ShuffleOp::Idx
                     : id == BuiltinId::CudaShflUpSync   ? ShuffleOp::Up
                     : id == BuiltinId::CudaShflDownSync ? ShuffleOp::Down
                                                         : ShuffleOp::Xor;
      ScalarKind k = types_.scalar_kind(rt);
      V bits = to_shuffle_bits(b_, convert(arg(1), argt(1), rt), k);
      V r = target.warp_shuffle(b_, op, as_mask(0), bits, as_i32(2), at);
      return from_shuffle_bits(b_, r, k, vt(rt));
    }
    case BuiltinId::CudaAllSync:
    case BuiltinId::CudaAnySync:
    case BuiltinId::CudaEqSync:
    case BuiltinId::CudaBallotSync: {
      VoteOp op = id == BuiltinId::CudaAllSync   ? VoteOp::All
                  : id == BuiltinId::CudaAnySync ? VoteOp::Any
                  : id == BuiltinId::CudaEqSync  ? VoteOp::Eq
                                                 : VoteOp::Ballot;
      V r = target.warp_vote(b_, op, as_mask(0), truth(arg(1), argt(1)), at);
      return op == VoteOp::Ballot ? to_result(r) : r;
    }
    case BuiltinId::CudaActivemask: return to_result(target.active_mask(b_, at));
    case BuiltinId::CudaLanemaskLt: {
      V lane = b_.CreateZExtOrTrunc(target.lane_id(b_, at), mask_t);
      return to_result(b_.CreateSub(b_.CreateShl(llvm::ConstantInt::get(mask_t, 1), lane),
                                    llvm::ConstantInt::get(mask_t, 1)));
    }
    case BuiltinId::CudaPopc:
    case BuiltinId::CudaClz:
    case BuiltinId::CudaBrev:
    case BuiltinId::CudaFfs: {
      TypeId xt = unwrap_optional(types_, argt(0));
      V x = convert(arg(0), argt(0), xt);
      llvm::Type *t = x->getType();
      if (id == BuiltinId::CudaPopc) return b_.CreateUnaryIntrinsic(llvm::Intrinsic::ctpop, x);
      if (id == BuiltinId::CudaBrev) return b_.CreateUnaryIntrinsic(llvm::Intrinsic::bitreverse, x);
      if (id == BuiltinId::CudaClz)
        return b_.CreateBinaryIntrinsic(llvm::Intrinsic::ctlz, x, b_.getFalse());
      // ffs: the 1-based position of the lowest set bit, 0 for 0 (libdevice's __nv_ffs).
      V tz = b_.CreateBinaryIntrinsic(llvm::Intrinsic::cttz, x, b_.getTrue());
      V pos = b_.CreateAdd(tz, llvm::ConstantInt::get(t, 1));
      V r = b_.CreateSelect(b_.CreateICmpEQ(x, llvm::ConstantInt::get(t, 0)),
                            llvm::ConstantInt::get(t, 0), pos);
      return b_.CreateZExtOrTrunc(r, i32_);
    }
    case BuiltinId::CudaFma: {
      V a = convert(arg(0), argt(0), rt), b = convert(arg(1), argt(1), rt);
      V c = convert(arg(2), argt(2), rt);
      return b_.CreateIntrinsic(llvm::Intrinsic::fma, {a->getType()}, {a, b, c});
    }
    case BuiltinId::CudaCbrt: return target.math(b_, MathFn::Cbrt, {convert(arg(0), argt(0), rt)});
    default: break;
  }
  internal_error << "no lowering for " << builtin_display_name(id);
  return nullptr;
}

V FunctionLowerer::lower_atomic(const InstData &d, BuiltinId id) {
  V arr = get(d.operands[1]);
  TypeId at = type(d.operands[1]);
  ScalarKind k = types_.dtype(at);
  TypeId et = types_.scalar(k);
  std::vector<V> idx;
  size_t first_value = 3;  // operands: callee, ary, idx, values...
  if (id == BuiltinId::CudaAtomicCompareAndSwap) {
    idx.push_back(llvm::ConstantInt::get(i64_, 0));
    first_value = 2;
  } else {
    V index = get(d.operands[2]);
    TypeId it = type(d.operands[2]);
    if (types_.kind(it) == TypeKind::Tuple) {
      const auto &elems = types_.get(it).elems;
      for (unsigned j = 0; j < elems.size(); ++j) {
        TypeId e = unwrap_optional(types_, elems[j]);
        V v = convert(from_memory(b_.CreateExtractValue(index, {j}), elems[j]), elems[j], e);
        idx.push_back(wrap_index(v, types_.scalar_kind(e), array_dim(arr, DataModel::kShape, j)));
      }
    } else {
      TypeId e = unwrap_optional(types_, it);
      V v = convert(index, it, e);
      idx.push_back(wrap_index(v, types_.scalar_kind(e), array_dim(arr, DataModel::kShape, 0)));
    }
  }
  V ptr = element_pointer(arr, at, idx);
  std::vector<V> values;
  for (size_t p = first_value; p < d.operands.size(); ++p)
    values.push_back(convert(get(d.operands[p]), type(d.operands[p]), et));
  llvm::MaybeAlign align(bit_width(k) / 8);
  const auto mono = llvm::AtomicOrdering::Monotonic;
  bool fp = is_float(k), sgn = is_signed(k);
  using Op = llvm::AtomicRMWInst::BinOp;
  auto rmw = [&](Op op) { return b_.CreateAtomicRMW(op, ptr, values[0], align, mono); };
  switch (id) {
    case BuiltinId::CudaAtomicAdd: return rmw(fp ? Op::FAdd : Op::Add);
    case BuiltinId::CudaAtomicSub: return rmw(fp ? Op::FSub : Op::Sub);
    case BuiltinId::CudaAtomicMax:
    case BuiltinId::CudaAtomicNanmax:
      if (fp) return atomic_float_minmax(ptr, values[0], true, id == BuiltinId::CudaAtomicNanmax);
      return rmw(sgn ? Op::Max : Op::UMax);
    case BuiltinId::CudaAtomicMin:
    case BuiltinId::CudaAtomicNanmin:
      if (fp) return atomic_float_minmax(ptr, values[0], false, id == BuiltinId::CudaAtomicNanmin);
      return rmw(sgn ? Op::Min : Op::UMin);
    case BuiltinId::CudaAtomicAnd: return rmw(Op::And);
    case BuiltinId::CudaAtomicOr: return rmw(Op::Or);
    case BuiltinId::CudaAtomicXor: return rmw(Op::Xor);
    case BuiltinId::CudaAtomicExch: return rmw(Op::Xchg);
    // CUDA's atomicInc / atomicDec are LLVM's wrapping increments: inc gives 0 once old >= val,
    // dec gives val when old is 0 or above val (unsigned comparisons).
    case BuiltinId::CudaAtomicInc: return rmw(Op::UIncWrap);
    case BuiltinId::CudaAtomicDec: return rmw(Op::UDecWrap);
    case BuiltinId::CudaAtomicCas:
    case BuiltinId::CudaAtomicCompareAndSwap: {
      V pair = b_.CreateAtomicCmpXchg(ptr, values[0], values[1], align, mono, mono);
      return b_.CreateExtractValue(pair, {0});
    }
    default: break;
  }
  internal_error << "no lowering for " << builtin_display_name(id);
  return nullptr;
}

V FunctionLowerer::atomic_float_minmax(V ptr, V val, bool is_max, bool nan_variant) {
  // numba-cuda's semantics: max/min leave the element alone when either value is NaN;
  // nanmax/nanmin treat a NaN value as missing and replace a NaN element.  The loop retries
  // the compare-and-swap while the element still loses to val.
  llvm::Type *ft = val->getType();
  llvm::Type *it = llvm::IntegerType::get(ctx_, ft->getPrimitiveSizeInBits());
  const auto mono = llvm::AtomicOrdering::Monotonic;
  llvm::MaybeAlign align(ft->getPrimitiveSizeInBits() / 8);
  auto *first = b_.CreateAlignedLoad(ft, ptr, align);
  first->setAtomic(mono);
  V skip = b_.CreateFCmpUNO(val, nan_variant ? val : static_cast<V>(first));
  llvm::BasicBlock *entry = b_.GetInsertBlock();
  auto *check = llvm::BasicBlock::Create(ctx_, "atomic.check", fn_);
  auto *attempt = llvm::BasicBlock::Create(ctx_, "atomic.cas", fn_);
  auto *done = llvm::BasicBlock::Create(ctx_, "atomic.done", fn_);
  b_.CreateCondBr(skip, done, check);
  b_.SetInsertPoint(check);
  llvm::PHINode *old = b_.CreatePHI(ft, 2, "old");
  old->addIncoming(first, entry);
  V loses;
  if (nan_variant)
    loses = is_max ? b_.CreateFCmpULT(old, val) : b_.CreateFCmpUGT(old, val);
  else
    loses = is_max ? b_.CreateFCmpOLT(old, val) : b_.CreateFCmpOGT(old, val);
  b_.CreateCondBr(loses, attempt, done);
  b_.SetInsertPoint(attempt);
  V pair = b_.CreateAtomicCmpXchg(ptr, b_.CreateBitCast(old, it), b_.CreateBitCast(val, it), align,
                                  mono, mono);
  V seen = b_.CreateBitCast(b_.CreateExtractValue(pair, {0}), ft);
  old->addIncoming(seen, attempt);
  b_.CreateCondBr(b_.CreateExtractValue(pair, {1}), done, check);
  b_.SetInsertPoint(done);
  llvm::PHINode *result = b_.CreatePHI(ft, 3, "atomic.old");
  result->addIncoming(first, entry);
  result->addIncoming(old, check);
  result->addIncoming(old, attempt);
  return result;
}

}  // namespace ember
