// ember._cuda: the CUDA host layer for Python (runtime/cuda/ behind pybind11, plus the raw C
// types of CudaArray.cpp and CudaLaunch.cpp).  Importing it opens nothing: the driver library
// is opened by the first Driver call that needs it, so ember.cuda can import this module on a
// machine without a GPU and ask Driver().available().  It links neither LLVM nor NumPy's C API,
// and `import ember` does not load it.
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <cstdio>
#include <cstring>
#include <memory>
#include <optional>

#include "bindings/CudaArray.h"
#include "bindings/CudaHandles.h"
#include "bindings/CudaLaunch.h"
#include "bindings/CudaPyErrors.h"
#include "bindings/DLPack.h"
#include "runtime/cuda/CudaDriver.h"
#include "runtime/cuda/CudaModule.h"
#include "runtime/cuda/KernelParams.h"

namespace py = pybind11;
namespace ec = ember::cuda;
using namespace ember::py::cuda;

// ---- owners ------------------------------------------------------------------------------------

namespace ember::py::cuda {

void DevicePointer::free() {
  if (!address) return;
  ec::CUdeviceptr a = address;
  address = 0;
  driver->free(a);
}

DevicePointer::~DevicePointer() {
  try {
    free();
  } catch (const ec::CudaFailure &) {
  }
}

void PinnedBuffer::free() {
  if (!address) return;
  void *a = address;
  address = nullptr;
  driver->free_host(a);
}

PinnedBuffer::~PinnedBuffer() {
  try {
    free();
  } catch (const ec::CudaFailure &) {
  }
}

void Stream::destroy() {
  if (!owned || !handle) return;
  ec::CUstream s = handle;
  handle = nullptr;
  driver->stream_destroy(s);
}

Stream::~Stream() {
  try {
    destroy();
  } catch (const ec::CudaFailure &) {
  }
}

void Event::destroy() {
  if (!handle) return;
  ec::CUevent e = handle;
  handle = nullptr;
  driver->event_destroy(e);
}

Event::~Event() {
  try {
    destroy();
  } catch (const ec::CudaFailure &) {
  }
}

bool stream_of(PyObject *obj, ec::CUstream *out) {
  if (obj == Py_None) {
    *out = nullptr;
    return true;
  }
  ::pybind11::handle h(obj);
  if (::pybind11::isinstance<Stream>(h)) {
    *out = h.cast<const Stream &>().handle;
    return true;
  }
  PyObject *index = PyNumber_Index(obj);
  if (!index) {
    PyErr_Format(PyExc_TypeError, "a stream is a Stream, an int handle or None, not %s",
                 Py_TYPE(obj)->tp_name);
    return false;
  }
  unsigned long long v = PyLong_AsUnsignedLongLong(index);
  Py_DECREF(index);
  if (v == static_cast<unsigned long long>(-1) && PyErr_Occurred()) return false;
  *out = reinterpret_cast<ec::CUstream>(static_cast<uintptr_t>(v));
  return true;
}

bool function_of(PyObject *obj, const Function **out) {
  ::pybind11::handle h(obj);
  if (!::pybind11::isinstance<Function>(h)) {
    PyErr_Format(PyExc_TypeError, "expected a Function (Module.function(name)), not %s",
                 Py_TYPE(obj)->tp_name);
    return false;
  }
  *out = &h.cast<const Function &>();
  return true;
}

bool layout_of(PyObject *obj, std::unique_ptr<ec::ParamLayout> *out) {
  try {
    ::pybind11::handle h(obj);
    if (::pybind11::isinstance<ec::ParamLayout>(h)) {
      *out = std::make_unique<ec::ParamLayout>(h.cast<const ec::ParamLayout &>());
      return true;
    }
    std::vector<ec::ArgSpec> specs;
    for (::pybind11::handle item : ::pybind11::reinterpret_borrow<::pybind11::iterable>(h)) {
      auto pair = item.cast<std::pair<ec::ArgKind, uint32_t>>();
      specs.push_back(pair.first == ec::ArgKind::Array
                          ? ec::ArgSpec::array(pair.second)
                          : ec::ArgSpec::scalar(pair.first, pair.second));
    }
    *out = std::make_unique<ec::ParamLayout>(std::move(specs));
    return true;
  } catch (::pybind11::error_already_set &e) {
    e.restore();
  } catch (::pybind11::cast_error &) {
    PyErr_SetString(PyExc_TypeError,
                    "a layout is a ParamLayout or a list of (ArgKind, size_or_ndim) pairs");
  } catch (...) {
    set_error_from_exception();
  }
  return false;
}

}  // namespace ember::py::cuda

namespace {

// ---- helpers -----------------------------------------------------------------------------------

/// A device address from a DevicePointer, a DeviceArray or an int.
ec::CUdeviceptr address_of(py::handle obj) {
  if (py::isinstance<DevicePointer>(obj)) {
    const auto &p = obj.cast<const DevicePointer &>();
    if (!p.address) throw py::value_error("the DevicePointer was freed");
    return p.address;
  }
  if (is_device_array(obj.ptr())) return reinterpret_cast<DeviceArrayObject *>(obj.ptr())->data;
  PyObject *index = PyNumber_Index(obj.ptr());
  if (!index) throw py::error_already_set();
  unsigned long long v = PyLong_AsUnsignedLongLong(index);
  Py_DECREF(index);
  if (v == static_cast<unsigned long long>(-1) && PyErr_Occurred()) throw py::error_already_set();
  return v;
}

ec::CUstream stream_arg(py::handle obj) {
  ec::CUstream s;
  if (!stream_of(obj.ptr(), &s)) throw py::error_already_set();
  return s;
}

/// A C-contiguous view of a host buffer, released on destruction.
class HostView {
 public:
  HostView(py::handle obj, bool writable) {
    int flags = PyBUF_C_CONTIGUOUS | (writable ? PyBUF_WRITABLE : 0);
    if (PyObject_GetBuffer(obj.ptr(), &view_, flags) < 0) throw py::error_already_set();
  }
  ~HostView() { PyBuffer_Release(&view_); }
  HostView(const HostView &) = delete;
  HostView &operator=(const HostView &) = delete;
  void *data() const { return view_.buf; }
  size_t size() const { return static_cast<size_t>(view_.len); }

 private:
  Py_buffer view_{};
};

size_t byte_count(const std::optional<size_t> &nbytes, size_t available, const char *what) {
  size_t n = nbytes.value_or(available);
  if (n > available)
    throw py::value_error(std::string(what) + " has " + std::to_string(available) +
                          " bytes; cannot copy " + std::to_string(n));
  return n;
}

/// Host memory registered with the driver (cuMemHostRegister) for as long as this lives; it
/// holds the buffer so that its memory cannot move or go.
struct HostRegistration {
  std::shared_ptr<ec::CudaDriver> driver;
  Py_buffer view{};
  bool registered = false;
  void unregister() {
    if (!registered) return;
    registered = false;
    driver->unregister_host(view.buf);
  }
  ~HostRegistration() {
    try {
      unregister();
    } catch (const ec::CudaFailure &) {
    }
    PyBuffer_Release(&view);
  }
};

py::tuple record_tuple(const ec::KernelErrorRecord &r) {
  return py::make_tuple(r.status, r.exc, r.line, r.msg_id);
}

py::dict constants() {
  py::dict d;
  auto put = [&](const char *name, long long v) { d[name] = v; };
  put("CUDA_SUCCESS", ec::kCudaSuccess);
  put("CUDA_ERROR_INVALID_VALUE", ec::kCudaErrorInvalidValue);
  put("CUDA_ERROR_OUT_OF_MEMORY", ec::kCudaErrorOutOfMemory);
  put("CUDA_ERROR_NOT_INITIALIZED", ec::kCudaErrorNotInitialized);
  put("CUDA_ERROR_STUB_LIBRARY", ec::kCudaErrorStubLibrary);
  put("CUDA_ERROR_NO_DEVICE", ec::kCudaErrorNoDevice);
  put("CUDA_ERROR_INVALID_DEVICE", ec::kCudaErrorInvalidDevice);
  put("CUDA_ERROR_NOT_FOUND", ec::kCudaErrorNotFound);
  put("CUDA_ERROR_NOT_READY", ec::kCudaErrorNotReady);
#define EMBER_ATTR(cu, ours) put("CU_DEVICE_ATTRIBUTE_" cu, static_cast<int>(ec::DeviceAttr::ours));
  EMBER_ATTR("MAX_THREADS_PER_BLOCK", MaxThreadsPerBlock)
  EMBER_ATTR("MAX_BLOCK_DIM_X", MaxBlockDimX)
  EMBER_ATTR("MAX_BLOCK_DIM_Y", MaxBlockDimY)
  EMBER_ATTR("MAX_BLOCK_DIM_Z", MaxBlockDimZ)
  EMBER_ATTR("MAX_GRID_DIM_X", MaxGridDimX)
  EMBER_ATTR("MAX_GRID_DIM_Y", MaxGridDimY)
  EMBER_ATTR("MAX_GRID_DIM_Z", MaxGridDimZ)
  EMBER_ATTR("MAX_SHARED_MEMORY_PER_BLOCK", MaxSharedMemoryPerBlock)
  EMBER_ATTR("WARP_SIZE", WarpSize)
  EMBER_ATTR("MULTIPROCESSOR_COUNT", MultiprocessorCount)
  EMBER_ATTR("MEMORY_CLOCK_RATE", MemoryClockRate)
  EMBER_ATTR("GLOBAL_MEMORY_BUS_WIDTH", GlobalMemoryBusWidth)
  EMBER_ATTR("L2_CACHE_SIZE", L2CacheSize)
  EMBER_ATTR("UNIFIED_ADDRESSING", UnifiedAddressing)
  EMBER_ATTR("COMPUTE_CAPABILITY_MAJOR", ComputeCapabilityMajor)
  EMBER_ATTR("COMPUTE_CAPABILITY_MINOR", ComputeCapabilityMinor)
  EMBER_ATTR("MAX_SHARED_MEMORY_PER_BLOCK_OPTIN", MaxSharedMemoryPerBlockOptin)
#undef EMBER_ATTR
#define EMBER_FUNC(cu, ours) put("CU_FUNC_ATTRIBUTE_" cu, static_cast<int>(ec::FuncAttr::ours));
  EMBER_FUNC("MAX_THREADS_PER_BLOCK", MaxThreadsPerBlock)
  EMBER_FUNC("SHARED_SIZE_BYTES", SharedSizeBytes)
  EMBER_FUNC("CONST_SIZE_BYTES", ConstSizeBytes)
  EMBER_FUNC("LOCAL_SIZE_BYTES", LocalSizeBytes)
  EMBER_FUNC("NUM_REGS", NumRegs)
  EMBER_FUNC("PTX_VERSION", PtxVersion)
  EMBER_FUNC("BINARY_VERSION", BinaryVersion)
  EMBER_FUNC("MAX_DYNAMIC_SHARED_SIZE_BYTES", MaxDynamicSharedSizeBytes)
#undef EMBER_FUNC
  put("CU_JIT_INFO_LOG_BUFFER", ec::kJitInfoLogBuffer);
  put("CU_JIT_INFO_LOG_BUFFER_SIZE_BYTES", ec::kJitInfoLogBufferSizeBytes);
  put("CU_JIT_ERROR_LOG_BUFFER", ec::kJitErrorLogBuffer);
  put("CU_JIT_ERROR_LOG_BUFFER_SIZE_BYTES", ec::kJitErrorLogBufferSizeBytes);
  put("CU_JIT_LOG_VERBOSE", ec::kJitLogVerbose);
  put("CU_STREAM_DEFAULT", ec::kStreamDefault);
  put("CU_STREAM_NON_BLOCKING", ec::kStreamNonBlocking);
  put("CU_EVENT_DEFAULT", ec::kEventDefault);
  put("CU_EVENT_DISABLE_TIMING", ec::kEventDisableTiming);
  put("CU_MEMHOSTREGISTER_PORTABLE", ec::kMemHostRegisterPortable);
  put("CU_MEMHOSTREGISTER_DEVICEMAP", ec::kMemHostRegisterDeviceMap);
  put("CU_STREAM_LEGACY", static_cast<long long>(ec::kStreamLegacy));
  put("CU_STREAM_PER_THREAD", static_cast<long long>(ec::kStreamPerThread));
  return d;
}

ec::Vendor vendor_of(const std::string &name) {
  if (name == "cuda") return ec::Vendor::Cuda;
  if (name == "hip") return ec::Vendor::Hip;
  throw py::value_error("a vendor is 'cuda' or 'hip', not '" + name + "'");
}

py::dict function_attributes(const Function &f, ec::CudaDriver &d) {
  py::dict out;
  auto put = [&](const char *name, ec::FuncAttr a) {
    out[name] = d.function_attribute(f.handle, a);
  };
  put("max_threads_per_block", ec::FuncAttr::MaxThreadsPerBlock);
  put("shared_size_bytes", ec::FuncAttr::SharedSizeBytes);
  put("const_size_bytes", ec::FuncAttr::ConstSizeBytes);
  put("local_size_bytes", ec::FuncAttr::LocalSizeBytes);
  put("num_regs", ec::FuncAttr::NumRegs);
  put("ptx_version", ec::FuncAttr::PtxVersion);
  put("binary_version", ec::FuncAttr::BinaryVersion);
  put("max_dynamic_shared_size_bytes", ec::FuncAttr::MaxDynamicSharedSizeBytes);
  return out;
}

}  // namespace

PYBIND11_MODULE(_cuda, m) {
  m.doc() =
      "ember's CUDA host layer: the driver (opened with dlopen at first use), memory, "
      "streams, events, modules from PTX, and the native launch path";
  if (!init_errors() || !ember::py::dlpack::init(m.ptr()) || !init_device_array(m.ptr()) ||
      !init_launch(m.ptr()))
    throw py::error_already_set();
  py::register_exception_translator([](std::exception_ptr p) {
    try {
      if (p) std::rethrow_exception(p);
    } catch (const ec::CudaFailure &e) {
      set_cuda_failure(e);
    }
  });

  m.attr("DEFAULT_LIBRARY") = ec::CudaDriver::kDefaultLibrary;
  m.attr("ERROR_RECORD_NAME") = ec::CudaModule::kErrorRecordName;
  m.def("constants", &constants, "The CUDA enum values ember uses, by their cuda.h names.");
  m.def(
      "exported_names",
      [](const std::string &vendor) { return ec::CudaDriver::exported_names(vendor_of(vendor)); },
      py::arg("vendor") = "cuda",
      "The driver functions ember resolves, as (exported name, required), for 'cuda' or 'hip'.");
  m.def(
      "fallback_error_name",
      [](int code) -> std::optional<std::string> {
        const char *s = ec::fallback_error_name(code);
        return s ? std::optional<std::string>(s) : std::nullopt;
      },
      "ember's own name for a CUresult (None when cuda.h 13.0 has none).");
  m.def(
      "fallback_error_text",
      [](int code) -> std::optional<std::string> {
        const char *s = ec::fallback_error_text(code);
        return s ? std::optional<std::string>(s) : std::nullopt;
      },
      "ember's own short text for the common CUresults.");
  m.def(
      "format_error",
      [](const std::string &call, int code, const std::string &name, const std::string &text) {
        return ec::format_cuda_error(call, code, name, text);
      },
      py::arg("call"), py::arg("code"), py::arg("name"), py::arg("text"),
      "The message of a failed driver call.");
  m.def(
      "float_to_half_bits", [](double v) { return ec::float_to_half_bits(v); },
      "IEEE binary16 bits of a float, rounded to nearest even.");

  // ---- parameter layouts ------------------------------------------------------------------------
  py::enum_<ec::ArgKind>(m, "ArgKind", "What one kernel argument is (KernelParams.h).")
      .value("Array", ec::ArgKind::Array)
      .value("Pointer", ec::ArgKind::Pointer)
      .value("Int", ec::ArgKind::Int)
      .value("UInt", ec::ArgKind::UInt)
      .value("Bool", ec::ArgKind::Bool)
      .value("Float", ec::ArgKind::Float)
      .value("Complex", ec::ArgKind::Complex);

  py::class_<ec::ParamLayout>(m, "ParamLayout",
                              "A kernel's parameters: arrays flattened to (data, shape[nd], "
                              "strides[nd]), scalars by value, each at its natural alignment.")
      .def(py::init([](py::handle args) {
             std::unique_ptr<ec::ParamLayout> layout;
             if (!layout_of(args.ptr(), &layout)) throw py::error_already_set();
             return layout;
           }),
           py::arg("args"), "From a list of (ArgKind, size_or_ndim).")
      .def_property_readonly(
          "slots",
          [](const ec::ParamLayout &l) {
            std::vector<std::pair<uint32_t, uint32_t>> out;
            for (const auto &s : l.slots()) out.emplace_back(s.offset, s.size);
            return out;
          },
          "(offset, size) of each kernel parameter")
      .def_property_readonly("buffer_size", &ec::ParamLayout::buffer_size)
      .def_property_readonly("param_count", &ec::ParamLayout::param_count)
      .def("describe", &ec::ParamLayout::describe)
      .def("__repr__", [](const ec::ParamLayout &l) { return "ParamLayout" + l.describe(); })
      .def(
          "pack",
          [](const ec::ParamLayout &l, py::args args) {
            ec::ParamStorage storage(l);
            std::memset(storage.buffer, 0, l.buffer_size());
            ec::ParamWriter writer(l, storage.buffer, storage.params);
            if (!fill_params(l, writer, &PyTuple_GET_ITEM(args.ptr(), 0),
                             PyTuple_GET_SIZE(args.ptr()), "the layout", nullptr))
              throw py::error_already_set();
            return py::bytes(reinterpret_cast<const char *>(storage.buffer), l.buffer_size());
          },
          "The packed parameter buffer for these arguments (padding zeroed), converted as a "
          "launch converts them.");

  // ---- handles ----------------------------------------------------------------------------------
  py::class_<ec::DeviceInfo>(m, "DeviceInfo", "What the driver says about one device.")
      .def_readonly("id", &ec::DeviceInfo::id)
      .def_readonly("name", &ec::DeviceInfo::name)
      .def_property_readonly(
          "compute_capability",
          [](const ec::DeviceInfo &d) { return py::make_tuple(d.cc_major, d.cc_minor); })
      .def_readonly("total_memory", &ec::DeviceInfo::total_memory)
      .def_readonly("warp_size", &ec::DeviceInfo::warp_size)
      .def_readonly("multiprocessor_count", &ec::DeviceInfo::multiprocessor_count)
      .def_readonly("max_threads_per_block", &ec::DeviceInfo::max_threads_per_block)
      .def_property_readonly("max_block_dim",
                             [](const ec::DeviceInfo &d) {
                               return py::make_tuple(d.max_block_dim[0], d.max_block_dim[1],
                                                     d.max_block_dim[2]);
                             })
      .def_property_readonly("max_grid_dim",
                             [](const ec::DeviceInfo &d) {
                               return py::make_tuple(d.max_grid_dim[0], d.max_grid_dim[1],
                                                     d.max_grid_dim[2]);
                             })
      .def_readonly("max_shared_memory_per_block", &ec::DeviceInfo::max_shared_memory_per_block)
      .def_readonly("max_shared_memory_per_block_optin",
                    &ec::DeviceInfo::max_shared_memory_per_block_optin)
      .def_readonly("memory_clock_khz", &ec::DeviceInfo::memory_clock_khz)
      .def_readonly("memory_bus_width_bits", &ec::DeviceInfo::memory_bus_width_bits)
      .def_readonly("l2_cache_bytes", &ec::DeviceInfo::l2_cache_bytes)
      .def_property_readonly("peak_bandwidth_gbs", &ec::DeviceInfo::peak_bandwidth_gbs)
      .def("__repr__", [](const ec::DeviceInfo &d) {
        return "<CUDA device " + std::to_string(d.id) + " '" + d.name + "' sm_" +
               std::to_string(d.cc_major) + std::to_string(d.cc_minor) + ", " +
               std::to_string(d.total_memory >> 20) + " MiB>";
      });

  py::class_<DevicePointer, std::shared_ptr<DevicePointer>>(
      m, "DevicePointer", "Device memory from Driver.alloc; freed when this goes (or free()).")
      .def_property_readonly("address", [](const DevicePointer &p) { return p.address; })
      .def_property_readonly("size", [](const DevicePointer &p) { return p.size; })
      .def("__int__", [](const DevicePointer &p) { return p.address; })
      .def("__index__", [](const DevicePointer &p) { return p.address; })
      .def("free", &DevicePointer::free, "Frees the memory now.")
      .def("__repr__", [](const DevicePointer &p) {
        char buf[96];
        std::snprintf(buf, sizeof buf, "<DevicePointer 0x%llx, %zu bytes>",
                      static_cast<unsigned long long>(p.address), p.size);
        return std::string(buf);
      });

  py::class_<PinnedBuffer, std::shared_ptr<PinnedBuffer>>(
      m, "PinnedBuffer", py::buffer_protocol(),
      "Page-locked host memory (a writable buffer: numpy.frombuffer views it).")
      .def_buffer([](PinnedBuffer &b) {
        if (!b.address && b.size) throw py::value_error("the PinnedBuffer was freed");
        return py::buffer_info(b.address, 1, py::format_descriptor<uint8_t>::format(), 1,
                               {static_cast<py::ssize_t>(b.size)}, {1});
      })
      .def_property_readonly(
          "address", [](const PinnedBuffer &b) { return reinterpret_cast<uintptr_t>(b.address); })
      .def_property_readonly("size", [](const PinnedBuffer &b) { return b.size; })
      .def("free", &PinnedBuffer::free, "Frees the memory now (views of it must be gone).");

  py::class_<HostRegistration, std::shared_ptr<HostRegistration>>(
      m, "HostRegistration", "Host memory page-locked by Driver.register_host.")
      .def_property_readonly(
          "address",
          [](const HostRegistration &r) { return reinterpret_cast<uintptr_t>(r.view.buf); })
      .def_property_readonly("size", [](const HostRegistration &r) { return r.view.len; })
      .def("unregister", &HostRegistration::unregister);

  py::class_<Stream, std::shared_ptr<Stream>>(m, "Stream", "A CUDA stream.")
      .def_property_readonly("handle",
                             [](const Stream &s) { return reinterpret_cast<uintptr_t>(s.handle); })
      .def("__int__", [](const Stream &s) { return reinterpret_cast<uintptr_t>(s.handle); })
      .def("synchronize",
           [](Stream &s) {
             py::gil_scoped_release nogil;
             s.driver->stream_synchronize(s.handle);
           })
      .def(
          "query", [](Stream &s) { return s.driver->stream_query(s.handle); },
          "True when all its work is done.")
      .def("destroy", &Stream::destroy);

  py::class_<Event, std::shared_ptr<Event>>(m, "Event", "A CUDA event.")
      .def_property_readonly("handle",
                             [](const Event &e) { return reinterpret_cast<uintptr_t>(e.handle); })
      .def(
          "record",
          [](Event &e, py::handle stream) { e.driver->event_record(e.handle, stream_arg(stream)); },
          py::arg("stream") = py::none())
      .def("synchronize",
           [](Event &e) {
             py::gil_scoped_release nogil;
             e.driver->event_synchronize(e.handle);
           })
      .def("query", [](Event &e) { return e.driver->event_query(e.handle); })
      .def(
          "elapsed_ms",
          [](Event &start, Event &end) {
            return start.driver->event_elapsed_ms(start.handle, end.handle);
          },
          py::arg("end"), "Milliseconds from this event to `end` (both recorded and done).")
      .def("destroy", &Event::destroy);

  py::class_<ec::CudaModule, std::shared_ptr<ec::CudaModule>>(
      m, "Module", py::dynamic_attr(),
      "A module JIT-compiled from PTX; it accepts attributes (the kernel's message table...).")
      .def("function",
           [](const std::shared_ptr<ec::CudaModule> &mod, const std::string &name) {
             return Function{mod, name, mod->function(name)};
           })
      .def_property_readonly("info_log", &ec::CudaModule::info_log)
      .def_property_readonly("has_error_record", &ec::CudaModule::has_error_record)
      .def_property_readonly("error_record_address", &ec::CudaModule::error_record_address)
      .def(
          "error_record",
          [](ec::CudaModule &mod) -> py::object {
            if (!mod.has_error_record()) return py::none();
            return record_tuple(mod.read_error_record());
          },
          "(status, exc, line, msg_id) as it is now (synchronize first); None without a record.")
      .def(
          "take_error_record",
          [](ec::CudaModule &mod) -> py::object {
            if (!mod.has_error_record()) return py::none();
            return record_tuple(mod.take_error_record());
          },
          "error_record(), clearing the record when it was set.")
      .def("reset_error_record", &ec::CudaModule::reset_error_record);

  py::class_<Function>(m, "Function", "A kernel of a Module.")
      .def_readonly("name", &Function::name)
      .def_readonly("module", &Function::module)
      .def_property_readonly(
          "handle", [](const Function &f) { return reinterpret_cast<uintptr_t>(f.handle); })
      .def(
          "attributes",
          [](const Function &f) { return function_attributes(f, f.module->driver()); },
          "Registers, shared/local/const bytes, max threads per block, PTX/binary version.");

  // ---- the driver -------------------------------------------------------------------------------
  using DriverPtr = std::shared_ptr<ec::CudaDriver>;
  py::class_<ec::CudaDriver, DriverPtr>(
      m, "Driver",
      "Driver(library=None, vendor='cuda'): the CUDA driver ($EMBER_CUDA_DRIVER or libcuda.so.1) "
      "or, with vendor='hip', the HIP runtime ($EMBER_HIP_LIBRARY or libamdhip64.so): the "
      "process's one, or one over another library (tests).  Nothing is opened until a call "
      "needs it.")
      .def(py::init([](std::optional<std::string> library, const std::string &vendor) -> DriverPtr {
             ec::Vendor v = vendor_of(vendor);
             if (library) return std::make_shared<ec::CudaDriver>(*library, v);
             return ec::CudaDriver::process(v);
           }),
           py::arg("library") = py::none(), py::arg("vendor") = "cuda")
      .def_property_readonly("library", &ec::CudaDriver::library)
      .def_property_readonly(
          "vendor",
          [](const ec::CudaDriver &d) { return d.vendor() == ec::Vendor::Hip ? "hip" : "cuda"; })
      .def(
          "available", [](ec::CudaDriver &d) { return d.available(); },
          "True when the library opened and cuInit succeeded.")
      .def(
          "reason",
          [](ec::CudaDriver &d) {
            std::string why;
            d.available(&why);
            return why;
          },
          "Why the driver cannot be used ('' when it can).")
      .def("version", &ec::CudaDriver::version, "cuDriverGetVersion: 1000 * major + 10 * minor.")
      .def("device_count", &ec::CudaDriver::device_count)
      .def("devices",
           [](ec::CudaDriver &d) {
             std::vector<ec::DeviceInfo> out;
             for (int i = 0, n = d.device_count(); i < n; ++i) out.push_back(d.device_info(i));
             return out;
           })
      .def("device_info", &ec::CudaDriver::device_info, py::arg("device"))
      .def(
          "detect",
          [](ec::CudaDriver &d) {
            ec::DriverReport r = d.detect();
            py::dict out;
            out["available"] = r.available;
            out["library"] = r.library;
            out["reason"] = r.reason;
            out["version"] = r.version;
            out["devices"] = r.devices;
            return out;
          },
          "{'available', 'library', 'reason', 'version', 'devices'}; never raises.")
      .def("select", &ec::CudaDriver::select, py::arg("device"),
           "Makes the device's primary context the one every later call uses.")
      .def_property_readonly("selected_device", &ec::CudaDriver::selected)
      .def("synchronize", &ec::CudaDriver::synchronize, py::call_guard<py::gil_scoped_release>())
      .def("memory_info", &ec::CudaDriver::memory_info, "(free, total) bytes of the device.")
      // memory
      .def(
          "alloc",
          [](const DriverPtr &d, size_t nbytes) {
            auto p = std::make_shared<DevicePointer>();
            p->driver = d;
            p->size = nbytes;
            p->address = d->alloc(nbytes);
            return p;
          },
          py::arg("nbytes"))
      .def(
          "free", [](ec::CudaDriver &, DevicePointer &p) { p.free(); }, py::arg("ptr"))
      .def(
          "alloc_pinned",
          [](const DriverPtr &d, size_t nbytes) {
            auto b = std::make_shared<PinnedBuffer>();
            b->driver = d;
            b->size = nbytes;
            b->address = d->alloc_host(nbytes);
            return b;
          },
          py::arg("nbytes"))
      .def(
          "register_host",
          [](const DriverPtr &d, py::handle buffer) {
            auto r = std::make_shared<HostRegistration>();
            r->driver = d;
            if (PyObject_GetBuffer(buffer.ptr(), &r->view, PyBUF_C_CONTIGUOUS | PyBUF_WRITABLE) < 0)
              throw py::error_already_set();
            d->register_host(r->view.buf, static_cast<size_t>(r->view.len));
            r->registered = true;
            return r;
          },
          py::arg("buffer"), "Page-locks a writable C-contiguous buffer while the result lives.")
      .def(
          "copy_htod",
          [](ec::CudaDriver &d, py::handle dst, py::handle src, std::optional<size_t> nbytes,
             py::handle stream) {
            ec::CUdeviceptr to = address_of(dst);
            ec::CUstream s = stream_arg(stream);
            HostView view(src, false);
            size_t n = byte_count(nbytes, view.size(), "the source buffer");
            py::gil_scoped_release nogil;
            d.copy_htod(to, view.data(), n, s);
          },
          py::arg("dst"), py::arg("src"), py::arg("nbytes") = py::none(),
          py::arg("stream") = py::none(),
          "Host buffer -> device.  With a stream the copy is asynchronous: the buffer must stay "
          "alive and unchanged until the stream reaches it (pinned memory for true overlap).")
      .def(
          "copy_dtoh",
          [](ec::CudaDriver &d, py::handle dst, py::handle src, std::optional<size_t> nbytes,
             py::handle stream) {
            ec::CUdeviceptr from = address_of(src);
            ec::CUstream s = stream_arg(stream);
            HostView view(dst, true);
            size_t n = byte_count(nbytes, view.size(), "the destination buffer");
            py::gil_scoped_release nogil;
            d.copy_dtoh(view.data(), from, n, s);
          },
          py::arg("dst"), py::arg("src"), py::arg("nbytes") = py::none(),
          py::arg("stream") = py::none(), "Device -> a writable host buffer.")
      .def(
          "copy_dtod",
          [](ec::CudaDriver &d, py::handle dst, py::handle src, size_t nbytes, py::handle stream) {
            ec::CUdeviceptr to = address_of(dst), from = address_of(src);
            ec::CUstream s = stream_arg(stream);
            py::gil_scoped_release nogil;
            d.copy_dtod(to, from, nbytes, s);
          },
          py::arg("dst"), py::arg("src"), py::arg("nbytes"), py::arg("stream") = py::none())
      .def(
          "memset",
          [](ec::CudaDriver &d, py::handle dst, int value, size_t nbytes, py::handle stream) {
            if (value < 0 || value > 255) throw py::value_error("memset takes a byte value 0..255");
            ec::CUdeviceptr to = address_of(dst);
            ec::CUstream s = stream_arg(stream);
            py::gil_scoped_release nogil;
            d.memset8(to, static_cast<uint8_t>(value), nbytes, s);
          },
          py::arg("dst"), py::arg("value"), py::arg("nbytes"), py::arg("stream") = py::none())
      // streams and events
      .def(
          "stream_create",
          [](const DriverPtr &d, bool non_blocking) {
            auto s = std::make_shared<Stream>();
            s->driver = d;
            s->handle =
                d->stream_create(non_blocking ? ec::kStreamNonBlocking : ec::kStreamDefault);
            s->owned = true;
            return s;
          },
          py::arg("non_blocking") = false)
      .def(
          "stream_synchronize",
          [](ec::CudaDriver &d, py::handle stream) {
            ec::CUstream s = stream_arg(stream);
            py::gil_scoped_release nogil;
            d.stream_synchronize(s);
          },
          py::arg("stream"))
      .def(
          "stream_query",
          [](ec::CudaDriver &d, py::handle stream) { return d.stream_query(stream_arg(stream)); },
          py::arg("stream"))
      .def(
          "stream_destroy", [](ec::CudaDriver &, Stream &s) { s.destroy(); }, py::arg("stream"))
      .def(
          "stream_wait_stream",
          [](ec::CudaDriver &d, py::handle consumer, py::handle producer) {
            d.stream_wait_stream(stream_arg(consumer), stream_arg(producer));
          },
          py::arg("consumer"), py::arg("producer"),
          "Orders consumer's later work after producer's work so far (no host wait).")
      .def(
          "event_create",
          [](const DriverPtr &d, bool timing) {
            auto e = std::make_shared<Event>();
            e->driver = d;
            e->handle = d->event_create(timing ? ec::kEventDefault : ec::kEventDisableTiming);
            return e;
          },
          py::arg("timing") = true)
      .def(
          "event_record",
          [](ec::CudaDriver &d, Event &e, py::handle stream) {
            d.event_record(e.handle, stream_arg(stream));
          },
          py::arg("event"), py::arg("stream") = py::none())
      .def(
          "event_synchronize",
          [](ec::CudaDriver &d, Event &e) {
            py::gil_scoped_release nogil;
            d.event_synchronize(e.handle);
          },
          py::arg("event"))
      .def(
          "event_query", [](ec::CudaDriver &d, Event &e) { return d.event_query(e.handle); },
          py::arg("event"))
      .def(
          "event_elapsed_ms",
          [](ec::CudaDriver &d, Event &a, Event &b) {
            return d.event_elapsed_ms(a.handle, b.handle);
          },
          py::arg("start"), py::arg("end"))
      .def(
          "event_destroy", [](ec::CudaDriver &, Event &e) { e.destroy(); }, py::arg("event"))
      .def(
          "stream_wait_event",
          [](ec::CudaDriver &d, py::handle stream, Event &e) {
            d.stream_wait_event(stream_arg(stream), e.handle);
          },
          py::arg("stream"), py::arg("event"))
      // modules and launches
      .def(
          "load_module",
          [](const DriverPtr &d, const std::string &ptx, const std::string &error_record) {
            py::gil_scoped_release nogil;
            return ec::CudaModule::load(d, ptx, error_record);
          },
          py::arg("ptx"), py::arg("error_record") = ec::CudaModule::kErrorRecordName,
          "Loads a module: PTX text for CUDA (JIT-compiled; a failure's JIT log is in the error), "
          "an AMDGPU code object (bytes) for HIP; error_record names the device error global ('' "
          "for none).")
      .def(
          "launch",
          [](ec::CudaDriver &d, const Function &f, py::handle grid, py::handle block,
             unsigned shared, py::handle stream, py::handle args) {
            ec::LaunchConfig c;
            if (!read_dim3(grid.ptr(), &c.grid, "the grid") ||
                !read_dim3(block.ptr(), &c.block, "the block"))
              throw py::error_already_set();
            c.shared_bytes = shared;
            c.stream = stream_arg(stream);
            if (&f.module->driver() != &d)
              throw py::value_error("the function belongs to another Driver");
            if (PyObject_CheckBuffer(args.ptr())) {
              HostView blob(args, false);
              d.make_current();
              f.module->mark_launched();
              d.launch_packed(f.handle, c.grid, c.block, c.shared_bytes, c.stream, blob.data(),
                              blob.size());
              return;
            }
            // [(ArgKind, size_or_ndim, value), ...]
            std::vector<ec::ArgSpec> specs;
            std::vector<PyObject *> values;
            py::list items(py::reinterpret_borrow<py::object>(args));
            for (py::handle item : items) {
              auto t = item.cast<py::tuple>();
              if (t.size() != 3)
                throw py::type_error("launch args are (ArgKind, size_or_ndim, value) triples");
              auto kind = t[0].cast<ec::ArgKind>();
              auto n = t[1].cast<uint32_t>();
              specs.push_back(kind == ec::ArgKind::Array ? ec::ArgSpec::array(n)
                                                         : ec::ArgSpec::scalar(kind, n));
              values.push_back(t[2].ptr());
            }
            ec::ParamLayout layout(std::move(specs));
            ec::ParamStorage storage(layout);
            ec::ParamWriter writer(layout, storage.buffer, storage.params);
            std::string what = "kernel '" + f.name + "'";
            if (!fill_params(layout, writer, values.data(), static_cast<Py_ssize_t>(values.size()),
                             what.c_str(), nullptr))
              throw py::error_already_set();
            d.make_current();
            f.module->mark_launched();
            d.launch(f.handle, c.grid, c.block, c.shared_bytes, c.stream, storage.params);
          },
          py::arg("function"), py::arg("grid"), py::arg("block"), py::arg("shared") = 0,
          py::arg("stream") = py::none(), py::arg("args") = py::list(),
          "Launches with args as a packed parameter buffer (bytes-like, laid out as the kernel's "
          "parameters) or a list of (ArgKind, size_or_ndim, value).  The slow, general path; "
          "KernelLauncher is the fast one.")
      .def(
          "take_kernel_errors",
          [](const DriverPtr &d) {
            py::list out;
            for (auto &mod : ec::CudaModule::take_launched(*d)) {
              if (!mod->has_error_record()) continue;
              ec::KernelErrorRecord r = mod->take_error_record();
              if (r.status != 0) out.append(py::make_tuple(mod, record_tuple(r)));
            }
            return out;
          },
          "After a synchronization: (Module, (status, exc, line, msg_id)) for each module "
          "launched since the last call whose error record is set; those records are cleared.");

  // ---- interop
  // -----------------------------------------------------------------------------------
  m.def(
      "parse_cuda_array_interface",
      [](py::handle obj) {
        py::object dict = py::reinterpret_borrow<py::object>(obj);
        if (!PyDict_Check(obj.ptr())) dict = obj.attr("__cuda_array_interface__");
        CaiInfo info;
        if (!parse_cuda_array_interface(dict.ptr(), &info)) throw py::error_already_set();
        const ArrayView &v = info.view;
        std::vector<int64_t> shape(v.shape, v.shape + v.ndim),
            strides(v.strides, v.strides + v.ndim);
        py::object stream = v.has_stream ? py::object(py::int_(v.stream)) : py::object(py::none());
        return py::make_tuple(v.data, py::tuple(py::cast(shape)), py::tuple(py::cast(strides)),
                              info.typestr, v.readonly, stream, info.version);
      },
      py::arg("obj"),
      "(ptr, shape, strides_in_bytes, typestr, readonly, stream, version) of an object with "
      "__cuda_array_interface__ (or of the dict itself).");
  m.def(
      "dlpack_import",
      [](py::handle capsule) {
        ember::py::dlpack::Imported t;
        PyObject *owner = ember::py::dlpack::import_capsule(capsule.ptr(), &t);
        if (!owner) throw py::error_already_set();
        py::object own = py::reinterpret_steal<py::object>(owner);
        return py::make_tuple(t.data, py::tuple(py::cast(t.shape)), py::tuple(py::cast(t.strides)),
                              t.typestr, t.readonly, py::make_tuple(t.device_type, t.device_id),
                              own);
      },
      py::arg("capsule"),
      "Consumes a DLPack capsule: (ptr, shape, strides_in_bytes, typestr, readonly, (device_type, "
      "device_id), owner); the tensor lives while owner does.");
}
