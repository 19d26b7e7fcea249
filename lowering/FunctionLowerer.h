/** \file FunctionLowerer.h
 * Internal to lowering/: the object that lowers one typed Function into one LLVM function.
 * Its methods are split by concept over CodeGen.cpp (driver, control flow, calls, errors,
 * reference counts), CodeGenScalar.cpp (conversions and arithmetic), CodeGenArray.cpp (array
 * structs, indexing, views, iteration, allocation) and CodeGenBuiltin.cpp (builtin calls), and
 * the rest of CodeGen*.cpp; the module's entry points are in Entry.cpp and UfuncLoops.cpp.
 */
#pragma once

#include <functional>
#include <map>
#include <set>
#include <vector>

#include "lowering/Lower.h"
#include "lowering/RuntimeFn.h"

namespace ember {

struct ModuleState;
/// The entry point the target's EntryAbi asks for (Entry.cpp); sets out.wrapper.
void emit_entry(ModuleState &ms, const Function &f, llvm::Function *fn, LoweredModule &out,
                FunctionRole role);
/// EntryAbi::Kernel: the kernel with flattened array parameters around fn (GpuKernelEntry.cpp).
void emit_gpu_kernel_entry(ModuleState &ms, const Function &f, llvm::Function *fn,
                           LoweredModule &out);
/// A kernel's entry for the CPU path (CpuKernelEntry.cpp, EntryAbi::CpuKernel).
void emit_cpu_kernel_entry(ModuleState &ms, const Function &f, llvm::Function *kernel,
                           LoweredModule &out);
/// The inner loops NumPy calls for @vectorize / @guvectorize kernels (UfuncLoops.cpp).
void emit_ufunc_loop(ModuleState &ms, const Function &f, llvm::Function *kernel,
                     const std::string &name);
void emit_gufunc_loop(ModuleState &ms, const Function &f, llvm::Function *kernel,
                      const std::string &name, const std::vector<std::vector<int>> &core_dims);

/// A @cfunc's C entry `R name(A...)` around fn (CFuncEntry.cpp, LoopSpec::Kind::CFunc).
void emit_cfunc_entry(ModuleState &ms, const Function &f, llvm::Function *fn,
                      const std::string &name);

/// The math function a builtin (math.sqrt, np.sqrt, ...) computes, if it is one.
bool builtin_math_fn(BuiltinId id, MathFn *out);

/// State shared by every function lowered into one module.
struct ModuleState {
  llvm::Module &module;
  DataModel &dm;
  Target &target;
  std::map<std::string, llvm::Function *> functions;     ///< by symbol
  std::map<std::string, llvm::Constant *> strings;       ///< message constants
  std::map<std::string, llvm::Constant *> str_literals;  ///< string literals (CodeGenString)
  RuntimeServices services_used;                         ///< by the runtime functions declared
  /// ErrorExit::DeviceRecord (DeviceError.cpp): the message table, and the record's global.
  std::vector<std::string> messages;
  std::map<std::string, int32_t> message_ids;
  llvm::GlobalVariable *error_record = nullptr;
  bool error_record_written = false;
  /// Kernels: whether any function of the module synchronizes threads (a barrier, a shuffle,
  /// a vote), and the layout of the block's static shared memory (cuda.shared.array).
  bool synchronizes = false;
  /// Generator functions' local ramps (CodeGenGenerator.cpp), by symbol, and those declared
  /// by a consumer but not lowered yet (lower_module lowers them last).
  std::map<std::string, llvm::Function *> local_ramps;
  std::vector<std::pair<const Function *, llvm::Function *>> pending_local_ramps;
  uint64_t static_shared_bytes = 0;
  int shared_arrays = 0;
  /// Whether compiled code updates reference counts: only where the target has an allocator
  /// and the module is not a kernel (kernels allocate nothing; their arrays are borrowed from
  /// the launch, which holds them until every thread has finished).
  bool counts_references = true;

  /// The declaration of a runtime function, made on first use.  The target must offer its
  /// service: typing rejects programs that need a missing one (typeinfer/CheckServices.h), so
  /// reaching here without it is ember's bug.
  llvm::Function *runtime(RuntimeFn fn);
  /// An alloca of t in the target's Local address space at b's insertion point, as a pointer
  /// in the Generic space (an addrspacecast follows when the two differ).
  llvm::Value *alloca_generic(llvm::IRBuilder<> &b, llvm::Type *t, const char *name = "");
  /// The id of a message in the device record's message table (added on first use).
  int32_t message_id(const std::string &text);
  /// The module's ember_device_error global (ember/abi.h) in the Global space, made on first
  /// use: {i32 status, i32 exc, i32 line, i32 msg_id}, zero-initialized.
  llvm::GlobalVariable *device_error_record();
};

class FunctionLowerer {
 public:
  /// local_ramp: fn is the generator function f's local ramp (CodeGenGenerator.cpp).
  FunctionLowerer(ModuleState &ms, const Function &f, llvm::Function *fn, bool local_ramp = false);
  void run();

  /// Declares f's LLVM function: i32 (ptr ret, ptr err, params...).
  static llvm::Function *declare(ModuleState &ms, const Function &f, bool external);

 private:
  using V = llvm::Value *;

  // ---- CodeGen.cpp: driver, control flow, errors, refcounts, compiled calls ----------------
  void lower_inst(const InstData &d);
  V get(Value v) const { return values_[v.id]; }
  void set(Value v, V x) { values_[v.id] = x; }
  TypeId type(Value v) const { return f_.type(v); }
  llvm::Type *vt(TypeId t) { return dm_.value_type(t); }
  llvm::Type *mt(TypeId t) { return dm_.memory_type(t); }
  /// An alloca in the entry block (so mem2reg can promote it), in the target's Local address
  /// space, as a Generic pointer.
  V entry_alloca(llvm::Type *t, const char *name = "");
  /// A message string: a constant in the target's Constant space, as a Generic pointer.
  llvm::Constant *message(const std::string &text);
  /// Raises exception `exc` with `msg` when cond is true (python error paths are cold).
  void raise_if(V cond, int32_t exc, const std::string &msg);
  /// Records the exception (store_error), drops the current instruction's unwind set and
  /// returns EMBER_RAISED.
  void emit_raise(int32_t exc, const std::string &msg);
  /// Writes the record of an exception where the target's ErrorExit says: the seam where a GPU
  /// target will write a device-global record instead of the caller's.
  void store_error(int32_t exc, int32_t line, const std::string &msg, V args = nullptr);
  /// After an exception was recorded: into the handler of the block being lowered when it is
  /// inside a try, else drops the current instruction's unwind set and returns `status`.
  void leave_raised(V status);
  /// Branches to a block, giving its parameters their arguments.
  void branch_to(const BlockCall &target);
  /// `raise E(args...)`: the arguments' record for the dispatcher (ember_exc_args).
  V exception_args(V value, TypeId t);
  V lower_exc_match(const InstData &d);
  /// ErrorExit::DeviceRecord (DeviceError.cpp): claims the module's record with a
  /// compare-and-swap of its status; the thread that wins fills it.
  void store_device_record(int32_t exc, int32_t line, const std::string &msg);
  void lower_branch(const InstData &d);
  V lower_call_compiled(const InstData &d);
  /// Calls a compiled function with these (already converted) arguments; an error it raises
  /// unwinds this function.
  V call_compiled(const CalleeRef &ref, const std::vector<V> &args, TypeId result);
  /// CodeGenGufunc.cpp: a @guvectorize gufunc called with its outputs.
  V lower_gufunc_call(const InstData &d);
  void incref(V v, TypeId t);
  void decref(V v, TypeId t);
  void meminfo_incref(V meminfo);
  void meminfo_decref(V meminfo);
  /// A value -> its memory form and back (they differ for bool only, recursively).
  V to_memory(V v, TypeId t);
  V from_memory(V v, TypeId t);
  llvm::Function *runtime(RuntimeFn fn) { return ms_.runtime(fn); }
  /// Emits `for (i = 0; i < n; ++i) body(i)` at the current point.
  void emit_loop(V n, const std::function<void(V)> &body, const char *name = "loop");

  // ---- CodeGenDatetime.cpp: datetime64 / timedelta64 (ir/rules/Datetime.h) ----------------
  /// A datetime or timedelta scalar type (through an Optional).
  bool is_time_value(TypeId t) const;
  V is_nat(V v);
  V nat_or(V nat, V v);        ///< NaT where nat, else v
  V floor_div(V a, V b);       ///< Python's // of int64 (b nonzero)
  V months_to_days(V months);  ///< months since 1970-01 -> days since 1970-01-01
  V days_to_months(V days);
  V convert_time_unit(V v, TimeUnit from, TimeUnit to);
  /// convert() where either kind is a datetime or timedelta.
  V convert_time(V v, ScalarKind from, ScalarKind to);
  V lower_time_binop(BinOpKind kind, V l, ScalarKind lk, V r, ScalarKind rk, SourceLoc loc);
  V lower_time_compare(CmpKind kind, V l, ScalarKind lk, V r, ScalarKind rk);
  V lower_time_unary(UnaryKind kind, V v, ScalarKind k);
  /// One element of an element-wise operation with a datetime or timedelta operand (also a
  /// scalar call of abs, np.minimum, np.isnat, ...), as a value of kind `result`.
  V time_element_op(const InstData &d, const std::vector<V> &elems,
                    const std::vector<TypeId> &elem_types, ScalarKind result);
  /// NumPy's minimum / maximum of two int64 counts: NaT when either is NaT.
  V nat_min_max(bool is_max, V a, V b);
  /// Moves the NaTs an int64 sort put first in a row (n items, stride bytes) to its end.
  void nat_last(V row, V n, V stride);
  /// The same for an argsort's contiguous index row of the values row (n items, stride).
  void nat_last_indices(V values, V n, V stride, V indices);
  /// The builtin calls DatetimeRules.cpp types; false when d is not one.
  bool lower_time_call(const InstData &d, BuiltinId id, V *out);

  // ---- CodeGenBytes.cpp: bytes and bytearray ------------------------------------------------
  /// A comparison of two bytes / bytearray values (Python's: lexicographic).
  V lower_bytes_compare(const InstData &d);
  /// np.frombuffer and ndarray.tobytes; false when d is not one.
  bool lower_bytes_call(const InstData &d, BuiltinId id, V *out);
  /// np.empty / np.zeros of a structured dtype (CodeGenRecord.cpp); false for other calls.
  bool lower_record_creation(const InstData &d, BuiltinId id, V *out);

  // ---- CodeGenScalar.cpp -------------------------------------------------------------------
  V lower_const(const ConstValue &c, TypeId t);
  /// Converts between types with NumPy's casting (float -> int: the target's FloatToIntBits).
  V convert(V v, TypeId from, TypeId to);
  /// NumPy's cast of the float x to the integer kind `to` on this target.
  V numpy_float_to_int(V x, ScalarKind to);
  /// trunc(x) as a `bits`-bit integer, or that integer's minimum when it does not fit (or x is
  /// NaN): x86's cvttsd2si, emitted with compares and selects so that loops vectorize.
  V trunc_or_min(V x, unsigned bits);
  /// Python's int() of the float x as int64 (x already rounded as the caller wants): ValueError
  /// for NaN, OverflowError for infinities and values outside int64, as CPython (which returns
  /// a big int for the last).
  V python_float_to_int(V x);
  /// Python's int() (also of round(), math.floor/ceil/trunc): a float goes through
  /// python_float_to_int, anything else through convert().
  V python_int(V v, TypeId from, TypeId to);
  V truth(V v, TypeId t);
  /// `raise_errors`: Python's ZeroDivisionError and friends (scalars under
  /// error_model='python'); off for array elements, which follow NumPy (inf, nan, 0).
  /// `array_element`: an element of a whole-array operation, where NumPy's rules apply (its
  /// `a ** 0.5` is np.sqrt); scalar code follows Python's.
  V lower_binop(BinOpKind kind, V l, V r, TypeId operand, bool raise_errors,
                bool array_element = false);
  V lower_int_binop(BinOpKind kind, V l, V r, ScalarKind k, bool raise_errors);
  V lower_float_binop(BinOpKind kind, V l, V r, ScalarKind k, bool raise_errors);
  V lower_complex_binop(BinOpKind kind, V l, V r, ScalarKind k, bool raise_errors);
  V lower_compare(CmpKind kind, V l, V r, TypeId operand);
  V lower_unary(UnaryKind kind, V v, TypeId t);
  /// Comparisons without a common operand type: tuples (lexicographic) and uint64 with int64.
  V lower_mixed_compare(CmpKind kind, V l, TypeId lt, V r, TypeId rt);
  V lower_is(const InstData &d);
  V lower_contains(const InstData &d);
  V int_pow(V base, V exp, ScalarKind k);
  /// x ** k for a constant k, without a pow call where it can: an integer-valued k with
  /// |k| <= kMaxMultipliedExponent (any k >= 0 for integers, which wrap) as multiplies, a
  /// reciprocal for negative k, and k = 0.5 as a square root.  nullptr for any other exponent.
  V constant_pow(V base, V exp, ScalarKind k, bool raise_errors, bool array_element);
  /// x ** n by repeated squaring (float or integer x).
  V power_by_squaring(V x, uint64_t n);
  /// Float powers up to this |k| are multiplied out.  Each multiply adds up to an ulp of
  /// relative error, so x ** k lands within about |k| ulp of pow's (measured: up to 5 for
  /// k = 8, 10 for k = 16).  16 covers the Lennard-Jones r ** -12; beyond it the pow call
  /// stays, for accuracy (numba multiplies out any |k| <= 65536, with the same bits as here up
  /// to 8).
  static constexpr double kMaxMultipliedExponent = 16;
  /// complex(real, imag) of two numbers, as CPython's complex_new combines them.
  V lower_complex_constructor(Value real, Value imag, TypeId to);
  /// math.gcd / math.lcm of two int64 (non-negative results, wrapping as int64 arithmetic).
  V int_gcd(V a, V b);
  V int_lcm(V a, V b);
  V scalar_zero(ScalarKind k);
  V scalar_one(ScalarKind k);
  V scalar_min_max(bool is_max, V a, V b, ScalarKind k);
  /// Whether the complex `b` replaces `a` as the running max (min) in NumPy's order.
  V complex_takes(bool is_max, V a, V b);
  void set_fast_math(V v);

  // ---- CodeGenArray.cpp --------------------------------------------------------------------
  V array_field(V arr, unsigned field);
  V array_dim(V arr, unsigned field, int k);
  V shape_of(V arr, TypeId t, int k) {
    (void)t;
    return array_dim(arr, DataModel::kShape, k);
  }
  V stride_of(V arr, TypeId t, int k);
  V wrap_index(V index, ScalarKind kind, V extent);
  V element_pointer(V arr, TypeId t, const std::vector<V> &indices);
  V load_element(V ptr, ScalarKind dtype);
  void store_element(V ptr, V value, ScalarKind dtype);
  V make_array(TypeId t, V meminfo, V parent, V data, const std::vector<V> &shape,
               const std::vector<V> &strides);
  /// A new C-contiguous array of type t and this shape (uninitialised), owning its buffer.
  V allocate_array(TypeId t, const std::vector<V> &shape);
  V lower_getattr(const InstData &d);
  // CodeGenJitclass.cpp: instances of @jitclass classes
  V lower_jitclass_getattr(const InstData &d);
  void lower_setattr(const InstData &d);
  V lower_jitclass_new(const InstData &d);
  /// The address of field k of the instance `obj` (its MemInfo's data).
  V jitclass_field_ptr(V obj, const ClassInfo &c, size_t k);
  V lower_getitem(const InstData &d);
  // CodeGenRecord.cpp: records of structured dtypes and arrays of them
  /// The record value {data, owner}.
  V make_record(V data, V owner);
  /// r.x, and a.x on an array of records (AttrId::RecordField).
  V lower_record_getattr(const InstData &d);
  /// r["x"] / r[0] on a record, a["x"] on an array of records.
  V lower_record_getitem(const InstData &d);
  void lower_record_setattr(const InstData &d);
  /// r["x"] = v, a["x"] = v, a[i] = r.
  void lower_record_setitem(const InstData &d);
  /// Field k of the record value `rec` (of type rt) read as the result type `result`.
  V record_field_read(V rec, TypeId rt, size_t k, TypeId result);
  /// Field k over every record of the array `arr` (of type at): a view of type `result`.
  V record_field_view(V arr, TypeId at, size_t k, TypeId result);
  /// Stores `value` (of type vt) into field k of the record `rec` of type rt.
  void record_field_store(V rec, TypeId rt, size_t k, V value, TypeId vt);
  /// ember.carray / farray over a pointer, and ptr[i] (CodeGenCArray.cpp).
  V lower_carray(const InstData &d, BuiltinId id);
  /// Calls of C functions and a.ctypes (lowering/CodeGenCCall.cpp).
  V lower_cfunction_call(const InstData &d);
  V lower_data_as(const InstData &d);
  V lower_ctypes_data(V array);
  V lower_pointer_getitem(const InstData &d);
  void lower_pointer_setitem(const InstData &d);
  /// o.name from @overload_attribute / @overload_method (CodeGenUserAttr.cpp).
  V lower_user_attribute(const InstData &d);
  void lower_setitem(const InstData &d);
  /// The view (or element) `array[index]` as typed by view_type().
  V index_array(V arr, TypeId t, Value index, TypeId result, SourceLoc loc);
  /// a[mask] and a[int_array]: new arrays.
  V lower_fancy_get(V a, TypeId at, Value index, TypeId rt);
  /// a[mask] = v and a[int_array] = v (v a scalar or a 1-d array).
  void lower_fancy_set(V a, TypeId at, Value index, V value, TypeId value_type);
  V resolve_slice(V slice, V extent, V *length, V *step);
  V lower_getiter(const InstData &d);
  V iterator_from(V iterable, TypeId from, TypeId iter_type);
  V lower_iternext(V state, TypeId iter);
  V lower_itervalue(V state, TypeId iter);
  /// next(it) / next(it, default): the next item, StopIteration or the default when exhausted.
  V lower_next(const InstData &d);
  /// A jitted function (a Dispatcher value) as a first-class function of type `fp`: the
  /// address of its specialization typing added to the callees (CodeGenFunctionPtr.cpp).
  V function_value(TypeId dispatcher, TypeId fp);
  V lower_unpack(const InstData &d);
  /// Calls body(indices) for every index of `shape` (row-major order).
  void emit_nd_loop(const std::vector<V> &shape,
                    const std::function<void(const std::vector<V> &)> &body);
  /// Stores `value` (a scalar of the array's dtype, or an array broadcast to its shape) into
  /// every element of the view `dst`.
  void assign_to_view(V dst, TypeId dst_type, V value, TypeId value_type);
  /// Whether the bytes two arrays address intersect (NumPy's bounds check, not exact overlap):
  /// views of one buffer through different parents, or buffers with no owner, are caught too.
  V memory_overlaps(V a, TypeId at, V b, TypeId bt);
  /// `src`, or a C-contiguous copy of it when it overlaps `dst` (index the result with an
  /// any-layout type); *to_free receives the copy's meminfo or null, for meminfo_decref.
  V detach_from(V src, TypeId st, V dst, TypeId dt, V *to_free);

  // ---- CodeGenArrayExpr.cpp ----------------------------------------------------------------
  /// The leaves of a fused expression: materialized arrays and scalars, read per element.
  struct ExprLeaf {
    Value value;
    TypeId type;
    V v = nullptr;           ///< the array struct, or the scalar
    std::vector<V> strides;  ///< per axis; 0 where the axis broadcasts (extent 1)
  };
  struct ExprTree {
    std::vector<ExprLeaf> leaves;
    std::map<uint32_t, size_t> leaf_of;  ///< value id -> leaf index
  };
  void collect_leaves(Value v, ExprTree &tree, bool root);
  /// The shape every leaf broadcasts to (ValueError when they do not); with `fixed`, checks
  /// that the leaves broadcast to that shape instead (a destination's).
  std::vector<V> broadcast_shape(ExprTree &tree, int ndim, const std::vector<V> *fixed);
  /// The element of value v at index idx (flat: the C-order position, when every array leaf
  /// has the output's shape and C layout).
  V eval_element(const ExprTree &tree, Value v, const std::vector<V> &idx, V flat);
  V element_op(const InstData &d, const std::vector<V> &elems, const std::vector<TypeId> &types);
  /// Evaluates the expression rooted at `root` into the array dst (shape given); unless dst
  /// is `fresh`, through a temporary when an operand overlaps it.
  void evaluate_into(V dst, TypeId dst_type, Value root, ExprTree &tree,
                     const std::vector<V> &shape, bool fresh);
  void evaluate_direct(V dst, TypeId dst_type, Value root, ExprTree &tree,
                       const std::vector<V> &shape);
  V lower_elementwise(const InstData &d);

  // ---- CodeGenReduce.cpp -------------------------------------------------------------------
  /// Calls body(element, flat C-order index) for every element of an array.
  void for_each_element(V arr, TypeId t, const std::function<void(V, V)> &body);
  V lower_reduction(const InstData &d, BuiltinId id);
  /// a + b of a sum's accumulator of type t: reassociable for floats, NaT-propagating for
  /// timedeltas.
  V reduce_add(V a, V b, TypeId t);
  V lower_cumulative(V a, TypeId at, TypeId rt, BuiltinId id, int axis);

  // ---- CodeGenNumpy.cpp --------------------------------------------------------------------
  /// A new C-contiguous array of type ct holding a's elements (converted to ct's dtype).
  V copy_to_contiguous(V a, TypeId at, TypeId ct);
  V lower_shape_op(const InstData &d, BuiltinId id);
  V lower_sorting(const InstData &d, BuiltinId id);
  V lower_dot(V a, TypeId at, V b, TypeId bt, TypeId rt);
  V lower_random(const InstData &d, BuiltinId id);
  /// view_of(a, shape, strides, offset, dtype, layout, readonly): a's MemInfo and parent with
  /// the given geometry (typeinfer/ViewRules.cpp).
  V lower_view_of(const InstData &d);

  // ---- CodeGenLinalg.cpp -------------------------------------------------------------------
  V lower_lapack(const InstData &d, BuiltinId id);
  V lower_bitgen(const InstData &d, BuiltinId id);

  // ---- CodeGenParallel.cpp -----------------------------------------------------------------
  /// The number of iterations of range(start, stop, step) (ValueError for a zero step).
  V range_count(V start, V stop, V step);
  V lower_parallel_for(const InstData &d);
  /// Runs `body` over [0, n) on the thread pool: body is emitted into an outlined chunk function
  /// and receives (lo, hi, the captured values as seen inside, the chunk's slot).  `slot_t` is
  /// each chunk's private storage (nullptr for none).  Returns the number of chunks used and the
  /// slots array (one slot_t per chunk) through *slots.  A raise inside the body stops the
  /// region; the caller then raises with its own unwind set.
  V run_on_pool(V n, const std::vector<V> &captures, llvm::Type *slot_t,
                const std::function<void(V, V, const std::vector<V> &, V)> &body, V *slots);
  /// ember_parallel_for(n, chunk, env, slots, ...): runs chunk over [0, n) on the pool, each
  /// chunk with a slot of slot_size bytes; returns the chunks used, negative after a raise.
  V call_parallel_for(V n, llvm::Function *chunk, V env, V slots, int64_t slot_size);
  /// Parallel regions for whole arrays start at this many elements.
  static constexpr int64_t kParallelThreshold = 1 << 16;

  // ---- CodeGenKernel.cpp: the kernel language (ember.cuda) -----------------------------------
  /// What the Target's kernel members receive: the err parameter and the current line.
  KernelSite kernel_site() const;
  /// threadIdx.x and friends, cuda.laneid, cuda.warpsize.
  V lower_kernel_attr(const InstData &d);
  V lower_kernel_builtin(const InstData &d, BuiltinId id);
  /// cuda.shared.array (static, or the launch's dynamic memory for shape 0), cuda.local.array.
  V lower_kernel_array(const InstData &d, BuiltinId id);
  V lower_atomic(const InstData &d, BuiltinId id);
  /// cuda.atomic.max/min/nanmax/nanmin of floats: a compare-and-swap loop (numba-cuda's rules).
  V atomic_float_minmax(V ptr, V val, bool is_max, bool nan_variant);
  /// A NumPy array frozen as a constant (ConstValue::Kind::Array), in the Constant space.
  V constant_array(const ConstValue &c, TypeId t);
  /// The byte strides of a C-contiguous array of this shape.
  std::vector<V> c_strides(const std::vector<V> &shape, uint64_t itemsize);

  // ---- CodeGenContainer.cpp: lists, dicts and sets (ember/containers.h) ----------------------
  /// The runtime's ember_typeinfo of t, made once per module (a lazily filled global).
  V typeinfo(TypeId t);
  /// v (of type `from`) converted to `to` and stored in an entry-block slot: the item pointer
  /// the runtime's container functions take.
  V spill(V v, TypeId from, TypeId to, const char *name = "item");
  /// The value at p (a container's slot) as a value of type t, borrowed.
  V load_value(V p, TypeId t);
  V container_header(V container);
  V list_size(V list);
  V list_item_ptr(V list, V index, TypeId item);
  /// lst.append(v): inline while the list has room for an item without references.
  void list_append(V list, V v, TypeId vt, TypeId item);
  /// A list index (any integer type, negative from the end) checked against the size:
  /// IndexError(msg) when out of range.
  V list_index(V list, V index, TypeId index_type, const char *msg);
  V container_len(V v, TypeId t);
  /// A new empty container of type t.
  V new_container(TypeId t);
  /// Adds v (of type vt) to the container c of type ct: append, set.add, or dict[k] = v.
  void container_add(V c, TypeId ct, V v, TypeId vt, V value = nullptr, TypeId value_t = {});
  /// Calls body(value, type) for every value iterating `iterable` yields (borrowed).
  void for_each_iterated(V iterable, TypeId t, const std::function<void(V, TypeId)> &body);
  /// Raises KeyError(repr(key)) when cond is true.
  void raise_key_error_if(V cond, V key_ptr, TypeId key_type);
  V lower_build_container(const InstData &d);
  V lower_container_getitem(const InstData &d);
  void lower_container_setitem(const InstData &d);
  void lower_delitem(const InstData &d);
  V lower_container_contains(const InstData &d);
  V lower_container_operator(const InstData &d);
  V container_iterator_from(V iterable, TypeId from, TypeId iter_type);
  V container_iternext(V state, TypeId iter);
  V container_itervalue(V state, TypeId iter);
  // CodeGenSet.cpp: the inline first probe of a set of integers (ember_set)
  /// `key in set` (key_slot: the key spilled as the item type).
  V set_contains(V set, V key_slot, TypeId item);
  /// set.add(key): stored inline when the first probed slot is empty and the table has room.
  void set_add(V set, V key_slot, TypeId item);
  // CodeGenFold.cpp: sum / any / all of an iterable, and min / max of one that is not an array
  // or tuple
  V lower_fold_call(const InstData &d, BuiltinId id);
  /// The iterator type iterating over a value of type t takes (t itself for an iterator).
  TypeId iterator_type_of(TypeId t);
  // CodeGenList.cpp / CodeGenDict.cpp
  V lower_list_call(const InstData &d, BuiltinId id);
  /// list.sort / sorted: by the items, or by key(item) with the call's callee as key.
  void sort_list(const InstData &d, V list, TypeId lt, bool keyed, Value reverse);
  /// np.array / np.asarray of an array, a list of numbers or a list of equal-length lists.
  V lower_array_from(V v, TypeId from, TypeId rt);
  V lower_dict_call(const InstData &d, BuiltinId id);
  // ---- CodeGenString.cpp: strings (a value is its ember_meminfo*, ember/str.h) --------------
  /// A string operand: a unicode_type's value, or the module constant of a literal.
  V string_value(Value v);
  /// The immortal module constant holding a literal, as an ember_meminfo*.
  llvm::Constant *string_literal(const std::string &utf8);
  V string_header(V s);
  V string_length(V s);
  V lower_string_binop(const InstData &d);
  V lower_string_compare(CmpKind kind, Value l, Value r);
  /// Compares two string values (tuple elements, `in` over a tuple of strings).
  V compare_strings(CmpKind kind, V a, V b);
  V lower_string_contains(const InstData &d);
  V lower_string_getitem(const InstData &d);
  V lower_string_builtin(const InstData &d, BuiltinId id);
  V lower_string_join(V sep, Value items);  ///< sep.join(list, tuple or str)
  /// int(s) and float(s): ValueError for text that is not a number, as Python.
  V lower_string_to_number(Value s, TypeId to);
  /// str(x) of a number or string value of type t (a new reference).
  V string_of(V v, TypeId t);
  /// format(x, spec) of a value of type t; spec a string value.
  V format_value(V v, TypeId t, V spec);
  /// A runtime call returning a new string; MemoryError when it returns NULL.
  V checked_string(V s, const char *what);
  /// acc + part as a new string, both owned references released (part itself when acc is null):
  /// the pieces of a format string joined left to right.
  V concat_owned(V acc, V part, const char *what);
  /// acc, or an owned empty string when no piece was made.
  V owned_or_empty_string(V acc);
  /// `except E as e`: e.args and str(e) of the caught record (CodeGenCaught.cpp).
  V lower_caught_args(const InstData &d);
  /// A call through a first-class function's address (CodeGenFunctionPtr.cpp).
  V lower_function_ptr_call(const InstData &d);
  /// round(x, ndigits) helpers (CodeGenRound.cpp).
  V exact_powers_of_ten(llvm::Type *fp);
  V round_int_digits(V x, Value ndigits);
  /// pow(base, exp, mod) of int64s, as Python's (CodeGenRound.cpp).
  V pow_mod(V base, V exp, V mod);
  /// print(values...) through the objmode print block (CodeGenObjmode.cpp).
  V lower_print(const InstData &d);
  V caught_exception_str(V caught);
  V string_iter_init(V s, TypeId iter);
  V string_iter_next(V state, TypeId iter);
  V string_iter_value(V state, TypeId iter);

  // ---- CodeGenGenerator.cpp: generator functions as LLVM coroutines (switch-resumed) -------
  /// A generator's header.status: Ready while it can be resumed (before its first value, and
  /// at each yield), then Done or Raised for good.
  enum GeneratorStatus : int32_t { kGeneratorReady = 0, kGeneratorDone = 1, kGeneratorRaised = 2 };
  /// A generator function's ramp, at the end of the entry block: makes the generator (a
  /// MemInfo holding a header and the coroutine frame), takes references to the arguments,
  /// stores the generator as the result and suspends; the first resume enters `body`.
  void begin_generator(llvm::BasicBlock *body);
  /// The body ends, returned (GeneratorStatus::Done) or raised (Raised, the record already in
  /// the header): records it, then suspends for the last time.
  void end_generator(int32_t status);
  void lower_yield(const InstData &d);
  /// The header every generator of type `gen` starts with: {frame, status, error, value}.
  llvm::StructType *generator_header_type(TypeId gen);
  uint64_t generator_header_size(TypeId gen);
  V generator_header(V gen);
  /// Resumes `gen` unless it has ended: true when it yielded a value (generator_value reads
  /// it, borrowed), false when it is exhausted; an exception it raised unwinds this function.
  V generator_next(V gen, TypeId gen_type);
  V generator_value(V gen, TypeId gen_type);
  /// min(gen) / max(gen) of scalars, as Python: the first item no later one beats; ValueError
  /// when it yields nothing.
  V generator_min_max(V gen, TypeId gen_type, bool is_max);
  /// The calls `for x in g(...)` makes of a generator function g known at compile time, whose
  /// generator nothing else sees: they get g's local ramp (find_local_generators).
  void find_local_generators();
  V call_local_ramp(const InstData &d);
  /// The local ramp of generator function f, declared on first use: i32 (ptr handle slot, ptr
  /// err, params..., ptr header), the header the consumer's, the frame elidable.
  llvm::Function *local_ramp(const Function &f);
  /// incref/decref of a local generator: its count of references, in the consumer's frame;
  /// the last one destroys the coroutine.  False when v is not one.
  bool local_generator_ref(V v, int delta);
  /// A local generator: its header and reference count (allocas of the consumer).
  struct LocalGenerator {
    V header = nullptr, count = nullptr;
  };
  std::map<V, LocalGenerator> local_generators_;  ///< by the coroutine handle
  std::set<uint32_t> local_generator_calls_;      ///< the Call instructions' result ids
  bool local_ramp_ = false;                       ///< fn_ is f_'s local ramp
  /// A generator function's coroutine: its id token, frame handle and header, and the blocks
  /// every suspend point shares.
  struct Coroutine {
    V id = nullptr, handle = nullptr, header = nullptr;
    llvm::BasicBlock *suspend = nullptr, *cleanup = nullptr, *final = nullptr;
  } coro_;

  // ---- CodeGenObjmode.cpp: `with objmode()` blocks, run by the interpreter -----------------
  V lower_objmode_call(const InstData &d);
  /// A constant {n, code[n]} of type t's ABI type code, for the bindings' boxing.
  V type_code_constant(TypeId t);

  // ---- CodeGenBuiltin.cpp ------------------------------------------------------------------
  V lower_call(const InstData &d);
  V lower_builtin(const InstData &d, BuiltinId id);
  V lower_math(BuiltinId id, const InstData &d);
  /// The element a.item(i) or a.item(i, j, ...) / a.item((i, j)) reads, bounds-checked.
  V item_pointer(const InstData &d, V a, TypeId at);
  // ---- CodeGenComplex.cpp ------------------------------------------------------------------
  /// A complex ufunc of z (kind k): abs, isnan/isinf/isfinite, conjugate or ember_complex_fn.
  V complex_ufunc(BuiltinId id, V z, ScalarKind k);
  V lower_array_creation(const InstData &d, BuiltinId id);
  V shape_values(Value shape, std::vector<V> *out);

  ModuleState &ms_;
  DataModel &dm_;
  TypeContext &types_;
  const Function &f_;
  llvm::Function *fn_;
  llvm::LLVMContext &ctx_;
  llvm::IRBuilder<> b_;
  std::vector<V> values_;
  std::vector<llvm::BasicBlock *> blocks_;
  std::vector<llvm::PHINode *> phis_;  ///< by value id, for block parameters
  llvm::BasicBlock *entry_ = nullptr;
  V ret_ptr_ = nullptr, err_ptr_ = nullptr;
  const InstData *current_ = nullptr;  ///< the instruction being lowered (for raise)
  const BlockCall *catch_ = nullptr;   ///< the handler edge of the block being lowered, if any
  bool in_chunk_ = false;  ///< lowering into an outlined chunk: raises skip the unwind set
  Inst current_id_;
  llvm::Type *i1_, *i8_, *i32_, *i64_, *ptr_, *f64_;
};

}  // namespace ember
