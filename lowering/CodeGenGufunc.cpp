// A @guvectorize gufunc called from compiled code with its outputs, as NumPy runs it: the
// arguments' trailing dimensions are the kernel's core dimensions (named by the layout, and
// equal wherever a name repeats), the leading ones broadcast together into the outer loop, and
// each outer index calls the kernel on views of the cores.  Outputs are not broadcast: their
// outer dimensions must be the loop's.  The call's value is the output (tuple of outputs).
#include "ember/abi.h"
#include "lowering/FunctionLowerer.h"

namespace ember {

using V = llvm::Value *;

V FunctionLowerer::lower_gufunc_call(const InstData &d) {
  const CalleeRef &ref = f_.callees[d.aux];
  size_t n = ref.params.size();
  llvm::Constant *zero = llvm::ConstantInt::get(i64_, 0), *one = llvm::ConstantInt::get(i64_, 1);
  std::vector<V> args;
  std::vector<TypeId> types;
  std::vector<int> outer_nd(n, 0);
  int loop_nd = 0;
  for (size_t k = 0; k < n; ++k) {
    args.push_back(get(d.operands[k + 1]));
    types.push_back(type(d.operands[k + 1]));
    if (types_.is_array(types[k]))
      outer_nd[k] = types_.ndim(types[k]) - static_cast<int>(ref.core_dims[k].size());
    loop_nd = std::max(loop_nd, outer_nd[k]);
  }

  // Core dimensions with one name must agree.
  V bad_core = llvm::ConstantInt::getFalse(ctx_);
  std::vector<V> named;
  for (size_t k = 0; k < n; ++k) {
    if (!types_.is_array(types[k])) continue;
    const std::vector<int> &names = ref.core_dims[k];
    for (size_t j = 0; j < names.size(); ++j) {
      V extent = array_dim(args[k], DataModel::kShape, outer_nd[k] + static_cast<int>(j));
      auto id = static_cast<size_t>(names[j]);
      if (named.size() <= id) named.resize(id + 1, nullptr);
      if (named[id])
        bad_core = b_.CreateOr(bad_core, b_.CreateICmpNE(named[id], extent));
      else
        named[id] = extent;
    }
  }
  raise_if(bad_core, EMBER_EXC_ValueError,
           "gufunc: core dimensions with the same name have different sizes");

  // The outer loop's shape: the inputs' outer dimensions broadcast (right-aligned).
  std::vector<V> shape(static_cast<size_t>(loop_nd), one);
  V bad = llvm::ConstantInt::getFalse(ctx_);
  for (size_t k = 0; k < static_cast<size_t>(ref.gufunc_inputs); ++k)
    for (int j = 0; j < outer_nd[k]; ++j) {
      auto axis = static_cast<size_t>(loop_nd - outer_nd[k] + j);
      V e = array_dim(args[k], DataModel::kShape, j);
      V next = b_.CreateSelect(b_.CreateICmpEQ(shape[axis], one), e, shape[axis]);
      bad = b_.CreateOr(bad, b_.CreateAnd(b_.CreateICmpNE(e, one), b_.CreateICmpNE(e, next)));
      shape[axis] = next;
    }
  raise_if(bad, EMBER_EXC_ValueError, "gufunc: the inputs' outer dimensions do not broadcast");
  V bad_out = llvm::ConstantInt::getFalse(ctx_);
  for (size_t k = static_cast<size_t>(ref.gufunc_inputs); k < n; ++k) {
    if (outer_nd[k] != loop_nd) {
      bad_out = llvm::ConstantInt::getTrue(ctx_);
      continue;
    }
    for (int j = 0; j < outer_nd[k]; ++j)
      bad_out = b_.CreateOr(bad_out, b_.CreateICmpNE(array_dim(args[k], DataModel::kShape, j),
                                                     shape[static_cast<size_t>(j)]));
  }
  raise_if(bad_out, EMBER_EXC_ValueError,
           "gufunc: an output's outer dimensions differ from the loop's (outputs do not "
           "broadcast)");

  emit_nd_loop(shape, [&](const std::vector<V> &idx) {
    std::vector<V> call;
    for (size_t k = 0; k < n; ++k) {
      TypeId t = types[k], p = ref.params[k];
      if (!types_.is_array(t)) {
        call.push_back(convert(args[k], t, p));
        continue;
      }
      // The outer index into this argument (size-1 dimensions broadcast), then the core at 0.
      int nd = types_.ndim(t), onl = outer_nd[k];
      std::vector<V> at;
      for (int j = 0; j < onl; ++j) {
        V i = idx[static_cast<size_t>(loop_nd - onl + j)];
        V ext = array_dim(args[k], DataModel::kShape, j);
        at.push_back(b_.CreateSelect(b_.CreateICmpEQ(ext, one), zero, i));
      }
      std::vector<V> first = at;
      for (int j = onl; j < nd; ++j) first.push_back(zero);
      if (!types_.is_array(p)) {
        ScalarKind dk = types_.dtype(t);
        call.push_back(
            convert(load_element(element_pointer(args[k], t, first), dk), types_.scalar(dk), p));
        continue;
      }
      // A view of the core; a "()" core is a 1-element view.  Empty cores have no element 0:
      // the pointer is only formed from the data pointer and strides, never read.
      V data = array_field(args[k], DataModel::kData);
      V offset = zero;
      for (int j = 0; j < onl; ++j)
        offset = b_.CreateAdd(offset, b_.CreateMul(at[static_cast<size_t>(j)],
                                                   array_dim(args[k], DataModel::kStrides, j)));
      V ptr = b_.CreateGEP(i8_, data, offset);
      std::vector<V> cshape, cstrides;
      for (int j = onl; j < nd; ++j) {
        cshape.push_back(array_dim(args[k], DataModel::kShape, j));
        cstrides.push_back(array_dim(args[k], DataModel::kStrides, j));
      }
      if (cshape.empty()) {
        cshape.push_back(one);
        cstrides.push_back(array_field(args[k], DataModel::kItemsize));
      }
      call.push_back(make_array(p, array_field(args[k], DataModel::kMeminfo),
                                array_field(args[k], DataModel::kParent), ptr, cshape, cstrides));
    }
    call_compiled(ref, call, types_.none());
  });

  // The outputs are the call's value, as NumPy returns them.
  TypeId rt = type(d.result);
  size_t first_out = static_cast<size_t>(ref.gufunc_inputs);
  if (n - first_out == 1) {
    incref(args[first_out], types[first_out]);
    return args[first_out];
  }
  V tuple = llvm::UndefValue::get(mt(rt));
  for (size_t k = first_out; k < n; ++k) {
    incref(args[k], types[k]);
    tuple = b_.CreateInsertValue(tuple, to_memory(args[k], types[k]),
                                 {static_cast<unsigned>(k - first_out)});
  }
  return tuple;
}

}  // namespace ember
