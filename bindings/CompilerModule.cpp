// ember._compiler: the compiler, loaded on the first compile (it links LLVM).  It converts the
// front end's plain data (NIS tuples, frozen values) into the C++ structures of typeinfer/Nis.h,
// runs the CPU pipeline (Session.compile), the CUDA one (Session.compile_ptx: PTX text and
// what the host needs to launch it) or the ROCm one (Session.compile_hsaco: an AMDGPU code
// object), and turns CompileErrors into ember.errors exceptions.
#include <pybind11/functional.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <iostream>
#include <set>

#include "ir/IRPrinter.h"
#include "lowering/LlvmIrBody.h"
#include "targets/cpu/CpuCompiler.h"
#include "targets/cuda/CudaCompiler.h"
#include "targets/rocm/HsacoLinker.h"
#include "targets/rocm/RocmCompiler.h"
#include "typeinfer/TypeRules.h"

namespace py = pybind11;
using namespace ember;

namespace {

ConstValue freeze_from_python(py::handle h) {
  auto t = h.cast<py::tuple>();
  ConstValue c;
  auto kind = static_cast<ConstValue::Kind>(t[0].cast<int>());
  c.kind = kind;
  using K = ConstValue::Kind;
  // Numbers may carry a NumPy scalar kind, number classes the Python-class flag, as a last item.
  if ((kind == K::Bool || kind == K::Int || kind == K::Float) && t.size() > 2)
    c.scalar = t[2].cast<int32_t>();
  if (kind == K::Complex && t.size() > 3) c.scalar = t[3].cast<int32_t>();
  if (kind == K::NumberClass && t.size() > 3) c.scalar = t[3].cast<int32_t>();
  switch (kind) {
    case K::None: break;
    case K::Bool:
    case K::Int: c.i = t[1].cast<int64_t>(); break;
    case K::Float: c.f = t[1].cast<double>(); break;
    case K::Complex:
      c.f = t[1].cast<double>();
      c.f2 = t[2].cast<double>();
      break;
    case K::Str: c.str = t[1].cast<std::string>(); break;
    case K::Tuple:
      for (py::handle e : t[1].cast<py::list>()) c.elems.push_back(freeze_from_python(e));
      break;
    case K::Module:
      c.handle = t[1].cast<uint64_t>();
      c.str = t[2].cast<std::string>();
      break;
    case K::Builtin: c.builtin = static_cast<BuiltinId>(t[1].cast<int>()); break;
    case K::Dispatcher:
      c.handle = t[1].cast<uint64_t>();
      c.str = t[2].cast<std::string>();
      if (t.size() > 3) c.i = t[3].cast<int64_t>();
      break;
    case K::ExceptionClass:
      c.i = t[1].cast<int64_t>();
      c.str = t[2].cast<std::string>();
      break;
    case K::NumberClass:
      c.i = t[1].cast<int64_t>();
      c.str = t[2].cast<std::string>();
      break;
    case K::Unsupported: c.str = t[1].cast<std::string>(); break;
    case K::TypeRef:  // (kind, type code, name)
      c.shape = t[1].cast<std::vector<int64_t>>();
      c.str = t[2].cast<std::string>();
      break;
    case K::JitClass:
      c.handle = t[1].cast<uint64_t>();
      c.str = t[2].cast<std::string>();
      break;
    case K::CFunction:  // (kind, address, nparams, type codes, name)
      c.handle = t[1].cast<uint64_t>();
      c.i = t[2].cast<int64_t>();
      c.shape = t[3].cast<std::vector<int64_t>>();
      c.str = t[4].cast<std::string>();
      break;
    case K::Array:  // (kind, dtype, shape, C-order bytes[, 1 for a bytes literal])
      c.i = t[1].cast<int64_t>();
      c.shape = t[2].cast<std::vector<int64_t>>();
      c.str = t[3].cast<std::string>();
      if (py::len(t) > 4) c.scalar = t[4].cast<int32_t>();
      break;
  }
  return c;
}

FunctionInput input_from_python(py::handle nis, py::list consts, py::list name_values,
                                py::dict modules, uint64_t self_handle) {
  FunctionInput in;
  in.name = nis.attr("name").cast<std::string>();
  in.qualname = nis.attr("qualname").cast<std::string>();
  in.filename = nis.attr("filename").cast<std::string>();
  in.firstlineno = nis.attr("firstlineno").cast<int32_t>();
  in.argcount = nis.attr("argcount").cast<int32_t>();
  in.kwonlyargcount = nis.attr("kwonlyargcount").cast<int32_t>();
  in.varnames = nis.attr("varnames").cast<std::vector<std::string>>();
  in.names = nis.attr("names").cast<std::vector<std::string>>();
  for (py::handle c : consts) in.consts.push_back(freeze_from_python(c));
  for (py::handle c : name_values) in.name_values.push_back(freeze_from_python(c));
  for (auto item : modules) {
    ModuleAttrs attrs;
    for (auto a : item.second.cast<py::dict>())
      attrs[a.first.cast<std::string>()] = freeze_from_python(a.second);
    in.modules[item.first.cast<uint64_t>()] = std::move(attrs);
  }
  for (py::handle ins : nis.attr("code")) {
    auto t = ins.cast<py::tuple>();
    NisInstr n;
    int op = t[0].cast<int>();
    if (!is_nis_op(op)) throw std::runtime_error("bad NIS op");
    n.op = static_cast<NisOp>(op);
    n.arg = t[1].cast<int32_t>();
    n.arg2 = t[2].cast<int32_t>();
    n.target = t[3].cast<int32_t>();
    n.offset = t[4].cast<int32_t>();
    n.line = t[5].cast<int32_t>();
    in.code.push_back(n);
  }
  if (py::hasattr(nis, "handlers"))
    for (py::handle h : nis.attr("handlers")) {
      auto t = h.cast<py::tuple>();
      NisHandler e;
      e.start = t[0].cast<int32_t>();
      e.end = t[1].cast<int32_t>();
      e.target = t[2].cast<int32_t>();
      e.depth = t[3].cast<int32_t>();
      e.lasti = t[4].cast<int>() != 0;
      in.handlers.push_back(e);
    }
  in.self_handle = self_handle;
  return in;
}

/// Raises the ember.errors exception for a CompileError.
[[noreturn]] void raise_compile_error(const CompileError &e, const std::string &filename) {
  py::module_ errors = py::module_::import("ember.errors");
  const char *cls = e.kind() == ErrorKind::Typing        ? "TypingError"
                    : e.kind() == ErrorKind::Unsupported ? "UnsupportedError"
                                                         : "InternalError";
  py::object exc = errors.attr(cls)(e.what(), filename, e.loc().line);
  PyErr_SetObject(reinterpret_cast<PyObject *>(Py_TYPE(exc.ptr())), exc.ptr());
  throw py::error_already_set();
}

class PyResolver : public CalleeResolver {
 public:
  explicit PyResolver(py::function fn) : fn_(std::move(fn)) {}
  CalleeRef resolve(uint64_t dispatcher, const std::vector<TypeId> &args,
                    const std::vector<std::string> &kwnames, SourceLoc loc) override {
    std::vector<uint32_t> ids;
    for (TypeId t : args) ids.push_back(t.index);
    py::tuple r = fn_(dispatcher, ids, kwnames, loc.line);
    CalleeRef ref;
    ref.dispatcher = dispatcher;
    for (uint32_t p : r[1].cast<std::vector<uint32_t>>()) ref.params.push_back(TypeId{p});
    ref.arg_map = r[2].cast<std::vector<int32_t>>();
    for (py::handle d : r[3].cast<py::list>()) ref.defaults.push_back(freeze_from_python(d));
    if (r.size() > 5) {  // a gufunc kernel: its layout
      ref.core_dims = r[4].cast<std::vector<std::vector<int>>>();
      ref.gufunc_inputs = r[5].cast<int>();
    }
    if (r[0].is_none()) {  // a function being compiled right now: recursion
      ref.self = true;
      return ref;
    }
    auto compiled = r[0].cast<std::shared_ptr<CompiledFunction>>();
    ref.result = compiled->ir->return_type;
    ref.symbol = compiled->symbol;
    ref.function = compiled->ir;
    return ref;
  }

  /// ember.extending's @overload_method / @overload_attribute registry: None, or (the
  /// overload's handle, 1 for a method or 2 for an attribute).
  UserAttribute lookup_attribute(TypeId obj, const std::string &name, SourceLoc) override {
    py::object found =
        py::module_::import("ember.extending").attr("lookup_user_attribute")(obj.index, name);
    UserAttribute out;
    if (found.is_none()) return out;
    auto t = found.cast<py::tuple>();
    out.handle = t[0].cast<uint64_t>();
    out.kind = t[1].cast<int>() == 1 ? UserAttribute::Kind::Method : UserAttribute::Kind::Attribute;
    return out;
  }

 private:
  py::function fn_;
};

class Session {
 public:
  Session() = default;
  CpuCompiler compiler;

  /// The CUDA compiler, made on first use; it shares the CPU compiler's types, so type ids
  /// and the typed IR of jitted callees mean the same to both.
  CudaCompiler &cuda() {
    if (!cuda_) cuda_ = std::make_unique<CudaCompiler>(compiler.types());
    return *cuda_;
  }
  /// The ROCm compiler, made on first use, sharing the CPU compiler's types as cuda() does.
  RocmCompiler &rocm() {
    if (!rocm_) rocm_ = std::make_unique<RocmCompiler>(compiler.types());
    return *rocm_;
  }

 private:
  std::unique_ptr<CudaCompiler> cuda_;
  std::unique_ptr<RocmCompiler> rocm_;
};

/// The front end's inputs, converted once for either compiler.
struct CompileRequest {
  FunctionInput in;
  std::vector<TypeId> args;
  InferOptions infer;
  PipelineOptions options;
};

CompileRequest make_request(py::handle nis, py::list consts, py::list name_values, py::dict modules,
                            const std::vector<uint32_t> &arg_ids, py::dict flags,
                            uint64_t self_handle, uint32_t declared_return,
                            const std::vector<std::string> &dump) {
  CompileRequest r;
  r.in = input_from_python(nis, consts, name_values, modules, self_handle);
  for (uint32_t a : arg_ids) r.args.push_back(TypeId{a});
  r.infer.self_handle = self_handle;
  r.infer.declared_return = TypeId{declared_return};
  // A flag the caller leaves out keeps CodeFlags' default.
  auto flag = [&](const char *name, bool fallback) {
    return flags.contains(name) ? flags[name].cast<bool>() : fallback;
  };
  r.options.flags.boundscheck = flag("boundscheck", r.options.flags.boundscheck);
  r.options.flags.fastmath = flag("fastmath", r.options.flags.fastmath);
  r.options.flags.python_errors = flag("python_errors", r.options.flags.python_errors);
  r.options.flags.parallel = flag("parallel", r.options.flags.parallel);
  r.options.verify = flag("verify", r.options.verify);
  // An @intrinsic: its body, taken by the pipeline when it builds the function (LlvmIrBody.h).
  if (flags.contains("llvm_ir"))
    set_pending_llvm_ir(self_handle, flags["llvm_ir"].cast<std::string>());
  std::set<std::string> stages(dump.begin(), dump.end());
  if (!stages.empty())
    r.options.dump = [stages](const char *stage, const Function &f) {
      if (stages.count(stage) || stages.count("all"))
        std::cerr << "---- " << stage << " ----\n" << print_function(f) << std::flush;
    };
  return r;
}

}  // namespace

PYBIND11_MODULE(_compiler, m) {
  m.doc() = "ember's compiler (LLVM inside); loaded on the first compile";

  py::class_<CompiledFunction, std::shared_ptr<CompiledFunction>>(m, "Compiled")
      .def_property_readonly("wrapper", [](const CompiledFunction &c) { return c.wrapper; })
      .def_property_readonly("entry", [](const CompiledFunction &c) { return c.entry; })
      .def_property_readonly("loop", [](const CompiledFunction &c) { return c.loop; })
      .def_property_readonly("uses_gemm", [](const CompiledFunction &c) { return c.uses_gemm; })
      .def_property_readonly("symbol", [](const CompiledFunction &c) { return c.symbol; })
      .def_property_readonly("shared_object",
                             [](const CompiledFunction &c) { return py::bytes(c.shared_object); })
      .def_property_readonly("imports", [](const CompiledFunction &c) { return c.imports; })
      .def_property_readonly("exports", [](const CompiledFunction &c) { return c.exports; })
      .def_property_readonly("shared_object_error",
                             [](const CompiledFunction &c) { return c.shared_object_error; })
      .def(
          "set_addresses",
          [](CompiledFunction &c, uint64_t wrapper, uint64_t entry, uint64_t loop) {
            c.wrapper = wrapper;
            c.entry = entry;
            c.loop = loop;
          },
          "The entry points of its shared object, once the front end has loaded it.")
      .def_property_readonly("return_type",
                             [](const CompiledFunction &c) { return c.ir->return_type.index; })
      .def_property_readonly("arg_types",
                             [](const CompiledFunction &c) {
                               std::vector<uint32_t> out;
                               for (TypeId t : c.ir->arg_types) out.push_back(t.index);
                               return out;
                             })
      .def(
          "ir_text",
          [](const CompiledFunction &c, const std::vector<std::string> &lines) {
            return print_function(*c.ir, lines.empty() ? nullptr : &lines);
          },
          py::arg("source_lines") = std::vector<std::string>{});

  py::register_exception<CudaToolkitError>(m, "CudaToolkitError", PyExc_RuntimeError);
  py::register_exception<RocmToolchainError>(m, "RocmToolchainError", PyExc_RuntimeError);
  py::register_exception<HsacoLinkError>(m, "HsacoLinkError", PyExc_RuntimeError);

  py::enum_<KernelParam::Kind>(m, "KernelParamKind",
                               "What one parameter of a compiled kernel holds (Ptx.params).")
      .value("DATA", KernelParam::Kind::Data, "an array's data pointer (a device address)")
      .value("SHAPE", KernelParam::Kind::Shape, "an array's extent along an axis (int64)")
      .value("STRIDE", KernelParam::Kind::Stride, "an array's stride along an axis, in bytes")
      .value("SCALAR", KernelParam::Kind::Scalar, "a scalar or tuple argument, in memory form");

  py::class_<PtxModule, std::shared_ptr<PtxModule>>(m, "Ptx", "A kernel or device function as PTX.")
      .def_property_readonly("ptx", [](const PtxModule &p) { return p.ptx; })
      .def_property_readonly(
          "symbol", [](const PtxModule &p) { return p.symbol; },
          "the .entry of a kernel, the .func of a device function")
      .def_property_readonly("arch", [](const PtxModule &p) { return p.options.arch.sm(); })
      .def_property_readonly("device", [](const PtxModule &p) { return p.options.device_function; })
      .def_property_readonly(
          "params",
          [](const PtxModule &p) {
            py::list out;
            for (const KernelParam &k : p.params)
              out.append(py::make_tuple(k.kind, k.arg, k.axis, k.size, k.align));
            return out;
          },
          "the kernel's parameters in order: (KernelParamKind, Python argument index, axis or "
          "-1, size in bytes, alignment)")
      .def_property_readonly(
          "error_record", [](const PtxModule &p) { return p.error_record; },
          "the global (ember_device_error of ember/abi.h) a raise writes")
      .def_property_readonly(
          "messages", [](const PtxModule &p) { return p.messages; },
          "the message of each message id the error record may hold")
      .def_property_readonly("may_raise", [](const PtxModule &p) { return p.may_raise; })
      .def_property_readonly("return_type",
                             [](const PtxModule &p) { return p.ir->return_type.index; })
      .def_property_readonly("arg_types", [](const PtxModule &p) {
        std::vector<uint32_t> out;
        for (TypeId t : p.ir->arg_types) out.push_back(t.index);
        return out;
      });

  py::class_<HsacoModule, std::shared_ptr<HsacoModule>>(m, "Hsaco",
                                                        "A kernel as an AMDGPU code object.")
      .def_property_readonly("hsaco", [](const HsacoModule &h) { return py::bytes(h.hsaco); })
      .def_property_readonly(
          "symbol", [](const HsacoModule &h) { return h.symbol; },
          "the kernel's symbol (its descriptor is symbol + '.kd')")
      .def_property_readonly("arch", [](const HsacoModule &h) { return h.options.arch.name; })
      .def_property_readonly("wavefront",
                             [](const HsacoModule &h) { return h.options.wavefront_size(); })
      .def_property_readonly("code_object",
                             [](const HsacoModule &h) { return h.options.code_object; })
      .def_property_readonly(
          "params",
          [](const HsacoModule &h) {
            py::list out;
            for (const KernelParam &k : h.params)
              out.append(py::make_tuple(k.kind, k.arg, k.axis, k.size, k.align));
            return out;
          },
          "the kernel's parameters in order, as Ptx.params")
      .def_property_readonly("error_record", [](const HsacoModule &h) { return h.error_record; })
      .def_property_readonly("messages", [](const HsacoModule &h) { return h.messages; })
      .def_property_readonly("may_raise", [](const HsacoModule &h) { return h.may_raise; })
      .def_property_readonly("static_shared_bytes",
                             [](const HsacoModule &h) { return h.static_shared_bytes; })
      .def_property_readonly("return_type",
                             [](const HsacoModule &h) { return h.ir->return_type.index; })
      .def_property_readonly("arg_types", [](const HsacoModule &h) {
        std::vector<uint32_t> out;
        for (TypeId t : h.ir->arg_types) out.push_back(t.index);
        return out;
      });

  py::class_<Session>(m, "Session")
      .def(py::init<>())
      .def("use_vector_library",
           [](Session &s, const std::vector<py::tuple> &entries, bool prefer) {
             // (libm name, symbol, address, lanes, arguments, ISA), as _ember.vector_math().
             std::vector<VectorFunction> fns;
             std::vector<uint64_t> addresses;
             for (const py::tuple &e : entries) {
               VectorFunction f;
               f.scalar = e[0].cast<std::string>();
               f.vector = e[1].cast<std::string>();
               addresses.push_back(e[2].cast<uint64_t>());
               f.lanes = e[3].cast<int>();
               f.args = e[4].cast<int>();
               f.isa = static_cast<VectorIsa>(e[5].cast<int>());
               fns.push_back(std::move(f));
             }
             return s.compiler.use_vector_library(fns, addresses, prefer);
           })
      .def("define_runtime_symbol",
           [](Session &s, const std::string &name, uint64_t address) {
             s.compiler.define_runtime_symbol(name, address);
           })
      .def("type_from_code",
           [](Session &s, const std::vector<int64_t> &code) {
             size_t pos = 0;
             return s.compiler.types().from_code(code, &pos).index;
           })
      .def("type_code",
           [](Session &s, uint32_t id) -> py::object {
             std::vector<int64_t> code;
             if (!s.compiler.types().to_code(TypeId{id}, &code)) return py::none();
             return py::cast(code);
           })
      .def("type_str",
           [](Session &s, uint32_t id) { return s.compiler.types().to_string(TypeId{id}); })
      .def(
          "define_class",
          [](Session &s, uint64_t class_id, const std::string &name,
             const std::vector<std::string> &field_names, const std::vector<uint32_t> &field_types,
             uint64_t init, const std::map<std::string, uint64_t> &methods,
             const std::map<std::string, uint64_t> &static_methods,
             const std::map<std::string, uint64_t> &getters) {
            ClassInfo c;
            c.name = name;
            c.field_names = field_names;
            for (uint32_t t : field_types) c.field_types.push_back(TypeId{t});
            c.init = init;
            c.methods = methods;
            c.static_methods = static_methods;
            c.getters = getters;
            s.compiler.types().define_class(class_id, std::move(c));
          },
          "Registers a @jitclass (ember/jitclasses.py): its fields, and the handles of its "
          "compiled methods.")
      .def(
          "define_record",
          [](Session &s, int64_t record_id, const std::string &name, int64_t itemsize, bool aligned,
             const std::vector<std::tuple<std::string, int64_t, int, int64_t, std::vector<int64_t>,
                                          std::string>> &fields) {
            TypeContext &types = s.compiler.types();
            RecordInfo r;
            r.name = name;
            r.itemsize = itemsize;
            r.aligned = aligned;
            for (const auto &[fname, offset, kind, tag_or_id, shape, dtype] : fields) {
              RecordField f;
              f.name = fname;
              f.offset = offset;
              f.kind = static_cast<RecordField::Kind>(kind);
              f.shape = shape;
              f.dtype = dtype;
              if (f.kind == RecordField::Kind::Record) {
                f.type = types.record(static_cast<uint64_t>(tag_or_id));
              } else if (f.kind == RecordField::Kind::Chars) {
                f.type = types.bytes(BytesKind::Bytes);
              } else if (f.kind == RecordField::Kind::UChars) {
                f.type = types.unicode();
              } else if (f.kind != RecordField::Kind::Other) {
                size_t pos = 0;
                f.type = types.from_code({tag_or_id}, &pos);
              }
              r.fields.push_back(std::move(f));
            }
            types.define_record(static_cast<uint64_t>(record_id), std::move(r));
          },
          "Registers a structured dtype (ember/records.py): its fields as (name, offset, kind "
          "0 scalar / 1 record / 2 subarray / 3 other / 4 'S' chars / 5 'U' chars, scalar tag or "
          "record id, subarray shape (or the number of chars), dtype str).")
      .def("can_convert",
           [](Session &s, uint32_t from, uint32_t to) {
             return can_convert(s.compiler.types(), TypeId{from}, TypeId{to});
           })
      .def("target_description",
           [](Session &s) {
             CpuTarget &t = s.compiler.target();
             return py::make_tuple(t.triple(), t.cpu_name(), t.cpu_features());
           })
      .def(
          "compile",
          [](Session &s, py::handle nis, py::list consts, py::list name_values, py::dict modules,
             const std::vector<uint32_t> &arg_ids, py::dict flags, py::function resolver,
             uint64_t self_handle, uint32_t declared_return, std::vector<std::string> dump,
             std::string loop_kind, std::vector<std::vector<int>> core_dims, bool shared_object) {
            CompileRequest q = make_request(nis, consts, name_values, modules, arg_ids, flags,
                                            self_handle, declared_return, dump);
            PyResolver r(std::move(resolver));
            LoopSpec loop;
            // "kernel" and "device": a CUDA kernel run on the CPU, a device function.
            CompileRole role = loop_kind == "kernel"   ? CompileRole::Kernel
                               : loop_kind == "device" ? CompileRole::DeviceFunction
                                                       : CompileRole::Function;
            if (loop_kind == "ufunc") loop.kind = LoopSpec::Kind::Ufunc;
            if (loop_kind == "cfunc") loop.kind = LoopSpec::Kind::CFunc;  // @cfunc's C entry
            if (loop_kind == "gufunc") {
              loop.kind = LoopSpec::Kind::Gufunc;
              loop.core_dims = core_dims;
            }
            try {
              return s.compiler.compile(q.in, q.args, r, q.infer, q.options, loop, role,
                                        shared_object);
            } catch (const CompileError &e) {
              raise_compile_error(e, q.in.filename);
            }
          },
          py::arg("nis"), py::arg("consts"), py::arg("name_values"), py::arg("modules"),
          py::arg("arg_types"), py::arg("flags"), py::arg("resolver"), py::arg("self_handle"),
          py::arg("declared_return") = 0, py::arg("dump") = std::vector<std::string>{},
          py::arg("loop") = std::string(), py::arg("core_dims") = std::vector<std::vector<int>>{},
          py::arg("shared_object") = false)
      .def(
          "compile_ptx",
          [](Session &s, py::handle nis, py::list consts, py::list name_values, py::dict modules,
             const std::vector<uint32_t> &arg_ids, py::dict flags, py::function resolver,
             uint64_t self_handle, std::pair<int, int> cc, bool arch_specific, bool device,
             uint32_t declared_return, std::vector<std::string> dump) {
            CompileRequest q = make_request(nis, consts, name_values, modules, arg_ids, flags,
                                            self_handle, declared_return, dump);
            // A kernel's parallelism is its grid: there is no prange on the device.
            q.options.flags.parallel = false;
            CudaOptions cuda;
            cuda.arch = CudaArch::for_capability(cc.first, cc.second, arch_specific);
            cuda.fastmath = q.options.flags.fastmath;
            cuda.device_function = device;
            PyResolver r(std::move(resolver));
            try {
              // Read-only from Python (every property is): pybind11 holds non-const pointers.
              return std::const_pointer_cast<PtxModule>(
                  s.cuda().compile(q.in, q.args, r, q.infer, q.options, cuda));
            } catch (const CompileError &e) {
              raise_compile_error(e, q.in.filename);
            }
          },
          py::arg("nis"), py::arg("consts"), py::arg("name_values"), py::arg("modules"),
          py::arg("arg_types"), py::arg("flags"), py::arg("resolver"), py::arg("self_handle"),
          py::arg("cc") = std::pair<int, int>(8, 0), py::kw_only(),
          py::arg("arch_specific") = false, py::arg("device") = false,
          py::arg("declared_return") = 0, py::arg("dump") = std::vector<std::string>{},
          "Compiles a kernel (or with device=True a device function) to PTX for compute "
          "capability cc (the newest architecture LLVM has that is not newer; arch_specific: "
          "sm_90a).  fastmath comes from flags.  Returns a Ptx.")
      .def(
          "ptx_llvm_ir",
          [](Session &s, const PtxModule &m, bool optimized) {
            return s.cuda().llvm_ir(m, optimized);
          },
          py::arg("ptx"), py::arg("optimized") = true,
          "The LLVM IR of a compiled kernel: as lowered, or as optimized (what the PTX is made "
          "from).")
      .def(
          "compile_hsaco",
          [](Session &s, py::handle nis, py::list consts, py::list name_values, py::dict modules,
             const std::vector<uint32_t> &arg_ids, py::dict flags, py::function resolver,
             uint64_t self_handle, const std::string &arch, int wavefront, int code_object,
             std::vector<std::string> dump) {
            CompileRequest q = make_request(nis, consts, name_values, modules, arg_ids, flags,
                                            self_handle, 0, dump);
            q.options.flags.parallel = false;
            RocmOptions rocm;
            try {
              rocm.arch = GfxArch::parse(arch);
            } catch (const std::invalid_argument &e) {
              throw py::value_error(e.what());
            }
            rocm.wavefront = wavefront;
            rocm.code_object = code_object;
            rocm.fastmath = q.options.flags.fastmath;
            PyResolver r(std::move(resolver));
            try {
              return std::const_pointer_cast<HsacoModule>(
                  s.rocm().compile(q.in, q.args, r, q.infer, q.options, rocm));
            } catch (const CompileError &e) {
              raise_compile_error(e, q.in.filename);
            } catch (const std::invalid_argument &e) {
              throw py::value_error(e.what());
            }
          },
          py::arg("nis"), py::arg("consts"), py::arg("name_values"), py::arg("modules"),
          py::arg("arg_types"), py::arg("flags"), py::arg("resolver"), py::arg("self_handle"),
          py::arg("arch") = std::string("gfx942"), py::kw_only(), py::arg("wavefront") = 0,
          py::arg("code_object") = 5, py::arg("dump") = std::vector<std::string>{},
          "Compiles a kernel to an AMDGPU code object for arch (gfx90a, gfx942, gfx1100, ...), "
          "with wavefront 64 or 32 (0: the architecture's default) and code object version 5 "
          "or 4.  fastmath comes from flags.  Returns a Hsaco.")
      .def(
          "hsaco_asm", [](Session &s, const HsacoModule &h) { return s.rocm().assembly(h); },
          "The AMDGCN assembly of a compiled kernel.")
      .def(
          "hsaco_llvm_ir",
          [](Session &s, const HsacoModule &h, bool optimized) {
            return s.rocm().llvm_ir(h, optimized);
          },
          py::arg("hsaco"), py::arg("optimized") = true)
      .def("llvm_ir", [](Session &s, const CompiledFunction &c,
                         bool optimized) { return s.compiler.llvm_ir(c, optimized); })
      .def("assembly",
           [](Session &s, const CompiledFunction &c) { return s.compiler.assembly(c); });

  m.def(
      "builtins",
      [] {
        std::vector<std::pair<std::string, std::string>> out;
        for (int i = 0; i < static_cast<int>(BuiltinId::NumBuiltins); ++i) {
          const BuiltinInfo &b = builtin_info(static_cast<BuiltinId>(i));
          out.emplace_back(b.module, b.attr);
        }
        return out;
      },
      "The builtins ember compiles, as (module, attribute), in id order.");
  m.def(
      "nis_op_names",
      [] {
        std::vector<std::string> out;
        for (int i = 0; i < kNumNisOps; ++i)
          out.emplace_back(is_nis_op(i) ? nis_op_name(static_cast<NisOp>(i)) : "");
        return out;
      },
      "The NIS opcodes the compiler reads, in number order (\"\" for unused numbers).");
}
