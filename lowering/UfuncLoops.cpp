// The inner loops of @vectorize and @guvectorize: NumPy calls them (through the bindings'
// generic loop, which owns everything Python) with its args/dimensions/steps arrays.
//   ufunc:  i32 loop(ptr args, i64 n, ptr steps, ptr err)
//   gufunc: i32 loop(ptr args, ptr dims, ptr steps, ptr err)
// Both call the compiled kernel once per element (or per outer index) and return at the first
// error.  The ufunc loop has a contiguous fast path whose typed accesses let LLVM vectorize the
// inlined kernel.
#include "ember/abi.h"
#include "lowering/FunctionLowerer.h"

namespace ember {

namespace {

using V = llvm::Value *;

/// Emits `for (i = 0; i < n; ++i) body(i)`; body returns a status to test, or nullptr.
void counted_loop(llvm::IRBuilder<> &b, llvm::Function *fn, V n, V err_exit_status_slot,
                  const std::function<V(V)> &body, llvm::BasicBlock *fail) {
  llvm::LLVMContext &ctx = fn->getContext();
  llvm::Type *i64 = llvm::Type::getInt64Ty(ctx);
  llvm::BasicBlock *pre = b.GetInsertBlock();
  auto *head = llvm::BasicBlock::Create(ctx, "loop.head", fn);
  auto *bodyb = llvm::BasicBlock::Create(ctx, "loop.body", fn);
  auto *exit = llvm::BasicBlock::Create(ctx, "loop.exit", fn);
  b.CreateBr(head);
  b.SetInsertPoint(head);
  llvm::PHINode *i = b.CreatePHI(i64, 2);
  i->addIncoming(llvm::ConstantInt::get(i64, 0), pre);
  b.CreateCondBr(b.CreateICmpSLT(i, n), bodyb, exit);
  b.SetInsertPoint(bodyb);
  V status = body(i);
  if (status) {
    auto *cont = llvm::BasicBlock::Create(ctx, "loop.cont", fn);
    b.CreateStore(status, err_exit_status_slot);
    b.CreateCondBr(b.CreateICmpNE(status, llvm::ConstantInt::get(status->getType(), 0)), fail,
                   cont);
    b.SetInsertPoint(cont);
  }
  i->addIncoming(b.CreateAdd(i, llvm::ConstantInt::get(i64, 1), "", true, true),
                 b.GetInsertBlock());
  b.CreateBr(head);
  b.SetInsertPoint(exit);
}

}  // namespace

void emit_ufunc_loop(ModuleState &ms, const Function &f, llvm::Function *kernel,
                     const std::string &name) {
  llvm::LLVMContext &ctx = ms.module.getContext();
  DataModel &dm = ms.dm;
  TypeContext &types = dm.types();
  llvm::Type *ptr = llvm::PointerType::get(ctx, 0), *i64 = llvm::Type::getInt64Ty(ctx),
             *i32 = llvm::Type::getInt32Ty(ctx), *i8 = llvm::Type::getInt8Ty(ctx);
  auto *ft = llvm::FunctionType::get(i32, {ptr, i64, ptr, ptr}, false);
  auto *loop = llvm::Function::Create(ft, llvm::GlobalValue::ExternalLinkage, name, ms.module);
  loop->addFnAttr(llvm::Attribute::NoUnwind);
  llvm::IRBuilder<> b(llvm::BasicBlock::Create(ctx, "entry", loop));
  size_t nin = f.arg_types.size();
  TypeId rt = f.return_type;
  llvm::Type *rmt = dm.memory_type(rt);
  llvm::AllocaInst *ret = b.CreateAlloca(rmt ? rmt : i8);
  llvm::AllocaInst *status_slot = b.CreateAlloca(i32);
  std::vector<V> ptrs, steps;
  std::vector<llvm::Type *> elem;
  for (size_t k = 0; k <= nin; ++k) {
    TypeId t = k < nin ? f.arg_types[k] : rt;
    ptrs.push_back(b.CreateLoad(ptr, b.CreateConstGEP1_64(ptr, loop->getArg(0), k)));
    steps.push_back(b.CreateLoad(i64, b.CreateConstGEP1_64(i64, loop->getArg(2), k)));
    elem.push_back(dm.memory_type(t));
  }
  auto *fail = llvm::BasicBlock::Create(ctx, "fail", loop);
  auto body = [&](V i, bool contiguous) -> V {
    std::vector<V> args = {ret, loop->getArg(3)};
    auto address = [&](size_t k) {
      return contiguous ? b.CreateInBoundsGEP(elem[k], ptrs[k], i)
                        : b.CreateGEP(i8, ptrs[k], b.CreateMul(i, steps[k]));
    };
    for (size_t k = 0; k < nin; ++k) {
      V x = b.CreateLoad(elem[k], address(k));
      TypeId t = f.arg_types[k];
      if (types.is_scalar(t) && types.scalar_kind(t) == ScalarKind::Bool)
        x = b.CreateICmpNE(x, llvm::ConstantInt::get(i8, 0));
      args.push_back(x);
    }
    V status = b.CreateCall(kernel, args);
    // The kernel's result, in memory form already, goes to the output.
    if (rmt) b.CreateStore(b.CreateLoad(rmt, ret), address(nin));
    return status;
  };
  // Contiguous when every step is its element's size.
  V contiguous = llvm::ConstantInt::getTrue(ctx);
  for (size_t k = 0; k <= nin; ++k) {
    uint64_t size = ms.module.getDataLayout().getTypeAllocSize(elem[k]);
    contiguous =
        b.CreateAnd(contiguous, b.CreateICmpEQ(steps[k], llvm::ConstantInt::get(i64, size)));
  }
  auto *flat = llvm::BasicBlock::Create(ctx, "contiguous", loop);
  auto *strided = llvm::BasicBlock::Create(ctx, "strided", loop);
  auto *done = llvm::BasicBlock::Create(ctx, "done", loop);
  b.CreateCondBr(contiguous, flat, strided);
  b.SetInsertPoint(flat);
  counted_loop(
      b, loop, loop->getArg(1), status_slot, [&](V i) { return body(i, true); }, fail);
  b.CreateBr(done);
  b.SetInsertPoint(strided);
  counted_loop(
      b, loop, loop->getArg(1), status_slot, [&](V i) { return body(i, false); }, fail);
  b.CreateBr(done);
  b.SetInsertPoint(done);
  b.CreateRet(llvm::ConstantInt::get(i32, EMBER_OK));
  b.SetInsertPoint(fail);
  b.CreateRet(b.CreateLoad(i32, status_slot));
}

void emit_gufunc_loop(ModuleState &ms, const Function &f, llvm::Function *kernel,
                      const std::string &name, const std::vector<std::vector<int>> &core_dims) {
  llvm::LLVMContext &ctx = ms.module.getContext();
  DataModel &dm = ms.dm;
  TypeContext &types = dm.types();
  llvm::Type *ptr = llvm::PointerType::get(ctx, 0), *i64 = llvm::Type::getInt64Ty(ctx),
             *i32 = llvm::Type::getInt32Ty(ctx), *i8 = llvm::Type::getInt8Ty(ctx);
  auto *ft = llvm::FunctionType::get(i32, {ptr, ptr, ptr, ptr}, false);
  auto *loop = llvm::Function::Create(ft, llvm::GlobalValue::ExternalLinkage, name, ms.module);
  loop->addFnAttr(llvm::Attribute::NoUnwind);
  llvm::IRBuilder<> b(llvm::BasicBlock::Create(ctx, "entry", loop));
  size_t nargs = f.arg_types.size();
  internal_assert(core_dims.size() == nargs) << "gufunc layout and kernel arity differ";
  llvm::Type *rmt = dm.memory_type(f.return_type);
  llvm::AllocaInst *ret = b.CreateAlloca(rmt ? rmt : i8);
  llvm::AllocaInst *status_slot = b.CreateAlloca(i32);
  V dims = loop->getArg(1), steps_arg = loop->getArg(2);
  auto dim = [&](int j) {
    return b.CreateLoad(i64, b.CreateConstGEP1_64(i64, dims, static_cast<uint64_t>(j)));
  };
  auto step = [&](size_t j) { return b.CreateLoad(i64, b.CreateConstGEP1_64(i64, steps_arg, j)); };
  std::vector<V> ptrs, outer;
  for (size_t k = 0; k < nargs; ++k) {
    ptrs.push_back(b.CreateLoad(ptr, b.CreateConstGEP1_64(ptr, loop->getArg(0), k)));
    outer.push_back(step(k));
  }
  // Core strides follow the outer steps, argument by argument, core dimension by dimension.
  std::vector<std::vector<V>> core_shape(nargs), core_strides(nargs);
  size_t next = nargs;
  for (size_t k = 0; k < nargs; ++k)
    for (int j : core_dims[k]) {
      core_shape[k].push_back(dim(1 + j));
      core_strides[k].push_back(step(next++));
    }
  auto *fail = llvm::BasicBlock::Create(ctx, "fail", loop);
  counted_loop(
      b, loop, dim(0), status_slot,
      [&](V i) -> V {
        std::vector<V> args = {ret, loop->getArg(3)};
        for (size_t k = 0; k < nargs; ++k) {
          TypeId t = f.arg_types[k];
          V base = b.CreateGEP(i8, ptrs[k], b.CreateMul(i, outer[k]));
          if (!types.is_array(t)) {
            V x = b.CreateLoad(dm.memory_type(t), base);
            if (types.is_scalar(t) && types.scalar_kind(t) == ScalarKind::Bool)
              x = b.CreateICmpNE(x, llvm::ConstantInt::get(i8, 0));
            args.push_back(x);
            continue;
          }
          // A view of this argument's core: its core dimensions, or one element for "()".
          int nd = types.ndim(t);
          auto *st = llvm::cast<llvm::StructType>(dm.array_type(nd));
          V arr = llvm::UndefValue::get(st);
          uint64_t itemsize = static_cast<uint64_t>(bit_width(types.dtype(t)) / 8);
          arr = b.CreateInsertValue(
              arr, llvm::ConstantPointerNull::get(llvm::cast<llvm::PointerType>(ptr)),
              {DataModel::kMeminfo});
          arr = b.CreateInsertValue(
              arr, llvm::ConstantPointerNull::get(llvm::cast<llvm::PointerType>(ptr)),
              {DataModel::kParent});
          arr = b.CreateInsertValue(arr, llvm::ConstantInt::get(i64, itemsize),
                                    {DataModel::kItemsize});
          arr = b.CreateInsertValue(arr, base, {DataModel::kData});
          V nitems = llvm::ConstantInt::get(i64, 1);
          for (int a = 0; a < nd; ++a) {
            bool have = static_cast<size_t>(a) < core_shape[k].size();
            V extent =
                have ? core_shape[k][static_cast<size_t>(a)] : llvm::ConstantInt::get(i64, 1);
            V stride = have ? core_strides[k][static_cast<size_t>(a)]
                            : llvm::ConstantInt::get(i64, itemsize);
            nitems = b.CreateMul(nitems, extent);
            arr = b.CreateInsertValue(arr, extent, {DataModel::kShape, static_cast<unsigned>(a)});
            arr = b.CreateInsertValue(arr, stride, {DataModel::kStrides, static_cast<unsigned>(a)});
          }
          arr = b.CreateInsertValue(arr, nitems, {DataModel::kNitems});
          args.push_back(arr);
        }
        return b.CreateCall(kernel, args);
      },
      fail);
  b.CreateRet(llvm::ConstantInt::get(i32, EMBER_OK));
  b.SetInsertPoint(fail);
  b.CreateRet(b.CreateLoad(i32, status_slot));
}

}  // namespace ember
