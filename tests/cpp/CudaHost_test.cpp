// The CUDA host layer without a GPU: kernel parameter layouts and the values written into them,
// float16 rounding, error names and messages, a missing driver library, a library that is not a
// driver, and the toolkit's stub library (every call answers CUDA_ERROR_STUB_LIBRARY); the HIP
// runtime's table of names and attributes, and a missing HIP runtime.
#include <dlfcn.h>
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "runtime/cuda/CudaDriver.h"
#include "runtime/cuda/CudaErrors.h"
#include "runtime/cuda/DriverTables.h"
#include "runtime/cuda/KernelLauncher.h"
#include "runtime/cuda/KernelParams.h"

using namespace ember::cuda;

namespace {

std::vector<std::pair<uint32_t, uint32_t>> offsets_and_sizes(const ParamLayout &l) {
  std::vector<std::pair<uint32_t, uint32_t>> out;
  for (const ParamSlot &s : l.slots()) out.emplace_back(s.offset, s.size);
  return out;
}

template <class T>
T read_at(const unsigned char *buf, uint32_t offset) {
  T v;
  std::memcpy(&v, buf + offset, sizeof v);
  return v;
}

}  // namespace

// ---- layouts ------------------------------------------------------------------------------------

TEST(KernelParams, OneArrayFlattensToPointerShapeStrides) {
  ParamLayout l({ArgSpec::array(1)});
  EXPECT_EQ(l.param_count(), 3u);
  EXPECT_EQ(offsets_and_sizes(l),
            (std::vector<std::pair<uint32_t, uint32_t>>{{0, 8}, {8, 8}, {16, 8}}));
  EXPECT_EQ(l.buffer_size(), 24u);
  EXPECT_EQ(l.first_slot(0), 0u);
}

TEST(KernelParams, ScalarsTakeTheirNaturalAlignment) {
  // (int8, float64, int32, bool, array(2), float16, complex64)
  ParamLayout l({ArgSpec::scalar(ArgKind::Int, 1), ArgSpec::scalar(ArgKind::Float, 8),
                 ArgSpec::scalar(ArgKind::Int, 4), ArgSpec::scalar(ArgKind::Bool, 1),
                 ArgSpec::array(2), ArgSpec::scalar(ArgKind::Float, 2),
                 ArgSpec::scalar(ArgKind::Complex, 8)});
  std::vector<std::pair<uint32_t, uint32_t>> expected = {
      {0, 1},                                       // int8
      {8, 8},                                       // float64 after 7 bytes of padding
      {16, 4},                                      // int32
      {20, 1},                                      // bool
      {24, 8}, {32, 8}, {40, 8}, {48, 8}, {56, 8},  // array(2): data, shape[2], strides[2]
      {64, 2},                                      // float16
      {68, 8},                                      // complex64: 4-aligned
  };
  EXPECT_EQ(offsets_and_sizes(l), expected);
  EXPECT_EQ(l.buffer_size(), 76u);
  EXPECT_EQ(l.first_slot(4), 4u);
  EXPECT_EQ(l.first_slot(5), 9u);
  EXPECT_EQ(l.describe(), "(int(1), float(8), int(4), bool(1), array(2), float(2), complex(8))");
}

TEST(KernelParams, ZeroDimensionalArrayIsJustItsPointer) {
  ParamLayout l({ArgSpec::scalar(ArgKind::UInt, 2), ArgSpec::array(0), ArgSpec::pointer()});
  EXPECT_EQ(offsets_and_sizes(l),
            (std::vector<std::pair<uint32_t, uint32_t>>{{0, 2}, {8, 8}, {16, 8}}));
}

TEST(KernelParams, EmptySignature) {
  ParamLayout l({});
  EXPECT_EQ(l.param_count(), 0u);
  EXPECT_EQ(l.buffer_size(), 0u);
  EXPECT_EQ(l.describe(), "()");
}

TEST(KernelParams, ComplexDoubleAlignsToEight) {
  ParamLayout l({ArgSpec::scalar(ArgKind::Int, 4), ArgSpec::scalar(ArgKind::Complex, 16)});
  EXPECT_EQ(offsets_and_sizes(l), (std::vector<std::pair<uint32_t, uint32_t>>{{0, 4}, {8, 16}}));
}

TEST(KernelParams, BadSpecsAreRefused) {
  EXPECT_THROW(ParamLayout({ArgSpec::scalar(ArgKind::Int, 3)}), std::invalid_argument);
  EXPECT_THROW(ParamLayout({ArgSpec::scalar(ArgKind::Float, 1)}), std::invalid_argument);
  EXPECT_THROW(ParamLayout({ArgSpec::scalar(ArgKind::Bool, 4)}), std::invalid_argument);
  EXPECT_THROW(ParamLayout({ArgSpec::scalar(ArgKind::Complex, 4)}), std::invalid_argument);
  EXPECT_THROW(ParamLayout({ArgSpec::array(65)}), std::invalid_argument);
  // 300 arrays of 8 dimensions: 300 * 17 * 8 bytes, beyond the parameter space
  EXPECT_THROW(ParamLayout(std::vector<ArgSpec>(300, ArgSpec::array(8))), std::invalid_argument);
  try {
    ParamLayout({ArgSpec::pointer(), ArgSpec::scalar(ArgKind::Int, 3)});
    FAIL();
  } catch (const std::invalid_argument &e) {
    EXPECT_NE(std::string(e.what()).find("kernel argument 1"), std::string::npos) << e.what();
  }
}

TEST(KernelParams, WriterPutsEachValueInItsSlot) {
  ParamLayout l({ArgSpec::array(2), ArgSpec::scalar(ArgKind::Int, 4),
                 ArgSpec::scalar(ArgKind::Float, 4), ArgSpec::scalar(ArgKind::UInt, 1),
                 ArgSpec::scalar(ArgKind::Complex, 16), ArgSpec::scalar(ArgKind::Float, 2),
                 ArgSpec::pointer()});
  ParamStorage storage(l);
  std::memset(storage.buffer, 0xAB, l.buffer_size());
  ParamWriter w(l, storage.buffer, storage.params);
  int64_t shape[2] = {3, 5}, strides[2] = {40, 8};
  w.set_array(0, {0x1000, shape, strides});
  w.set_integer(1, static_cast<uint64_t>(int64_t{-7}));
  w.set_float(2, 1.5);
  w.set_integer(3, 0x1FF);  // only the low byte is the uint8
  w.set_complex(4, 2.0, -3.0);
  w.set_float(5, 1.0);
  w.set_pointer(6, 0xdeadbeef00ull);
  const unsigned char *b = storage.buffer;
  const auto &s = l.slots();
  ASSERT_EQ(s.size(), 11u);
  for (size_t i = 0; i < s.size(); ++i)
    EXPECT_EQ(storage.params[i], static_cast<void *>(storage.buffer + s[i].offset)) << i;
  EXPECT_EQ(read_at<uint64_t>(b, s[0].offset), 0x1000u);
  EXPECT_EQ(read_at<int64_t>(b, s[1].offset), 3);
  EXPECT_EQ(read_at<int64_t>(b, s[2].offset), 5);
  EXPECT_EQ(read_at<int64_t>(b, s[3].offset), 40);
  EXPECT_EQ(read_at<int64_t>(b, s[4].offset), 8);
  EXPECT_EQ(read_at<int32_t>(b, s[5].offset), -7);
  EXPECT_EQ(read_at<float>(b, s[6].offset), 1.5f);
  EXPECT_EQ(read_at<uint8_t>(b, s[7].offset), 0xFF);
  EXPECT_EQ(read_at<double>(b, s[8].offset), 2.0);
  EXPECT_EQ(read_at<double>(b, s[8].offset + 8), -3.0);
  EXPECT_EQ(read_at<uint16_t>(b, s[9].offset), 0x3C00);
  EXPECT_EQ(read_at<uint64_t>(b, s[10].offset), 0xdeadbeef00ull);
}

TEST(KernelParams, LargeLayoutsUseHeapStorage) {
  ParamLayout l(std::vector<ArgSpec>(20, ArgSpec::array(4)));  // 180 parameters, 1440 bytes
  ParamStorage storage(l);
  EXPECT_NE(storage.buffer, storage.small_buffer_);
  EXPECT_NE(storage.params, storage.small_params_);
  ParamWriter w(l, storage.buffer, storage.params);
  int64_t shape[4] = {1, 2, 3, 4}, strides[4] = {192, 96, 32, 8};
  w.set_array(19, {0x42, shape, strides});
  EXPECT_EQ(read_at<uint64_t>(storage.buffer, l.slots()[l.first_slot(19)].offset), 0x42u);
  EXPECT_EQ(read_at<int64_t>(storage.buffer, l.slots().back().offset), 8);
}

TEST(KernelParams, HalfRoundsToNearestEven) {
  EXPECT_EQ(float_to_half_bits(0.0), 0x0000);
  EXPECT_EQ(float_to_half_bits(-0.0), 0x8000);
  EXPECT_EQ(float_to_half_bits(1.0), 0x3C00);
  EXPECT_EQ(float_to_half_bits(-2.0), 0xC000);
  EXPECT_EQ(float_to_half_bits(0.1), 0x2E66);
  EXPECT_EQ(float_to_half_bits(65504.0), 0x7BFF);   // the largest half
  EXPECT_EQ(float_to_half_bits(65519.99), 0x7BFF);  // below the halfway point
  EXPECT_EQ(float_to_half_bits(65520.0), 0x7C00);   // halfway: to even, which is inf
  EXPECT_EQ(float_to_half_bits(1e300), 0x7C00);
  EXPECT_EQ(float_to_half_bits(std::ldexp(1.0, -24)), 0x0001);  // the smallest subnormal
  EXPECT_EQ(float_to_half_bits(std::ldexp(1.0, -25)), 0x0000);  // halfway to 0: even
  EXPECT_EQ(float_to_half_bits(std::ldexp(1.5, -25)), 0x0001);
  EXPECT_EQ(float_to_half_bits(std::ldexp(1.0, -14)), 0x0400);            // the smallest normal
  EXPECT_EQ(float_to_half_bits(std::ldexp(1023.5, -24)), 0x0400);         // subnormal rounds up
  EXPECT_EQ(float_to_half_bits(1.0 + std::ldexp(1.0, -11)), 0x3C00);      // tie, to even
  EXPECT_EQ(float_to_half_bits(1.0 + 3 * std::ldexp(1.0, -11)), 0x3C02);  // tie, to even
  EXPECT_EQ(float_to_half_bits(std::numeric_limits<double>::infinity()), 0x7C00);
  EXPECT_EQ(float_to_half_bits(-std::numeric_limits<double>::infinity()), 0xFC00);
  EXPECT_EQ(float_to_half_bits(std::nan("")) & 0x7C00, 0x7C00);
  EXPECT_NE(float_to_half_bits(std::nan("")) & 0x03FF, 0);
}

// ---- errors -------------------------------------------------------------------------------------

TEST(CudaErrors, FallbackNamesAndTexts) {
  EXPECT_STREQ(fallback_error_name(0), "CUDA_SUCCESS");
  EXPECT_STREQ(fallback_error_name(2), "CUDA_ERROR_OUT_OF_MEMORY");
  EXPECT_STREQ(fallback_error_name(34), "CUDA_ERROR_STUB_LIBRARY");
  EXPECT_STREQ(fallback_error_name(218), "CUDA_ERROR_INVALID_PTX");
  EXPECT_STREQ(fallback_error_name(700), "CUDA_ERROR_ILLEGAL_ADDRESS");
  EXPECT_STREQ(fallback_error_name(999), "CUDA_ERROR_UNKNOWN");
  EXPECT_EQ(fallback_error_name(12345), nullptr);
  EXPECT_EQ(fallback_error_name(-1), nullptr);
  EXPECT_STREQ(fallback_error_text(2), "out of memory");
  EXPECT_EQ(fallback_error_text(5), nullptr);  // a name without ember's text
}

TEST(CudaErrors, MessageNamesTheCallTheErrorAndItsText) {
  EXPECT_EQ(format_cuda_error("cuMemAlloc_v2", 2, "CUDA_ERROR_OUT_OF_MEMORY", "out of memory"),
            "cuMemAlloc_v2 failed: CUDA_ERROR_OUT_OF_MEMORY (2): out of memory");
  EXPECT_EQ(format_cuda_error("cuInit", 12345, "", ""), "cuInit failed: CUDA error (12345)");
  CudaError e("cuLaunchKernel", 701, "CUDA_ERROR_LAUNCH_OUT_OF_RESOURCES", "too many resources",
              " (kernel 'k')");
  EXPECT_EQ(e.call(), "cuLaunchKernel");
  EXPECT_EQ(e.code(), 701);
  EXPECT_EQ(e.error_name(), "CUDA_ERROR_LAUNCH_OUT_OF_RESOURCES");
  EXPECT_STREQ(e.what(),
               "cuLaunchKernel failed: CUDA_ERROR_LAUNCH_OUT_OF_RESOURCES (701): too many "
               "resources (kernel 'k')");
  CudaUnavailable u("dlopen", "no library");
  EXPECT_EQ(u.code(), -1);
  EXPECT_EQ(u.error_name(), "");
}

// ---- opening the driver
// ---------------------------------------------------------------------------

TEST(CudaDriver, MissingLibraryIsAReasonNotACrash) {
  CudaDriver d("/nonexistent/ember-test/libcuda.so.1");
  std::string reason;
  EXPECT_FALSE(d.available(&reason));
  EXPECT_NE(reason.find("CUDA driver library not found"), std::string::npos) << reason;
  EXPECT_NE(reason.find("/nonexistent/ember-test/libcuda.so.1"), std::string::npos) << reason;
  try {
    d.api();
    FAIL() << "api() of a missing library returned";
  } catch (const CudaUnavailable &e) {
    EXPECT_EQ(e.call(), "dlopen");
    EXPECT_EQ(e.code(), -1);
    EXPECT_EQ(std::string(e.what()), reason);
  }
  EXPECT_THROW(d.alloc(16), CudaUnavailable);
  EXPECT_THROW(d.select(0), CudaUnavailable);
  DriverReport r = d.detect();
  EXPECT_FALSE(r.available);
  EXPECT_EQ(r.reason, reason);
  EXPECT_TRUE(r.devices.empty());
}

TEST(CudaDriver, ALibraryThatIsNotADriverLacksItsFunctions) {
  CudaDriver d("libm.so.6");
  std::string reason;
  EXPECT_FALSE(d.available(&reason));
  EXPECT_NE(reason.find("lacks the driver function cuInit"), std::string::npos) << reason;
  try {
    d.version();
    FAIL();
  } catch (const CudaUnavailable &e) {
    EXPECT_EQ(e.call(), "dlsym");
  }
}

TEST(CudaDriver, StubLibraryFailsCuInitWithItsFallbackName) {
  std::string stub = EMBER_CUDA_STUB;
  if (stub.empty()) GTEST_SKIP() << "the CUDA toolkit's stubs/libcuda.so is not installed";
  CudaDriver d(stub);
  std::string reason;
  EXPECT_FALSE(d.available(&reason));
  // The stub's cuGetErrorName fails too, so the name and text are ember's fallbacks.
  EXPECT_EQ(reason,
            "cuInit failed: CUDA_ERROR_STUB_LIBRARY (34): loaded the toolkit's link stub, not a "
            "real driver");
  try {
    d.device_count();
    FAIL();
  } catch (const CudaError &e) {
    EXPECT_EQ(e.call(), "cuInit");
    EXPECT_EQ(e.code(), kCudaErrorStubLibrary);
    EXPECT_EQ(e.error_name(), "CUDA_ERROR_STUB_LIBRARY");
  }
  EXPECT_EQ(d.error_name(2), "CUDA_ERROR_OUT_OF_MEMORY");
  EXPECT_FALSE(d.detect().available);
}

TEST(CudaDriver, TheStubExportsEveryNameTheTableResolves) {
  std::string stub = EMBER_CUDA_STUB;
  if (stub.empty()) GTEST_SKIP() << "the CUDA toolkit's stubs/libcuda.so is not installed";
  // The stub exports the real driver's symbols: each name must resolve there (checks the
  // _v2 spellings against CUDA 13).
  void *lib = dlopen(stub.c_str(), RTLD_NOW | RTLD_LOCAL);
  ASSERT_NE(lib, nullptr) << dlerror();
  auto names = CudaDriver::exported_names();
  EXPECT_GE(names.size(), 45u);
  EXPECT_EQ(names.front().first, "cuInit");
  for (const auto &[name, required] : names)
    EXPECT_NE(dlsym(lib, name.c_str()), nullptr) << name << " is not exported by " << stub;
  dlclose(lib);
}

// ---- the HIP runtime's table ----------------------------------------------------------------

TEST(HipTable, EverySlotHasOneHipNameAndNoSlotIsFilledTwice) {
  std::set<size_t> slots;
  std::set<std::string> names;
  for (const DriverSymbol &s : driver_symbols(Vendor::Hip)) {
    EXPECT_TRUE(slots.insert(s.offset).second) << s.names[0];
    EXPECT_TRUE(names.insert(s.names[0]).second) << s.names[0];
    EXPECT_EQ(std::string(s.names[0]).rfind("hip", 0), 0u) << s.names[0];
    EXPECT_EQ(s.names[1], nullptr);
  }
  EXPECT_GE(names.size(), 40u);
  for (const char *needed : {"hipModuleLaunchKernel", "hipModuleLoadDataEx", "hipMalloc",
                             "hipEventElapsedTime", "hipSetDevice", "hipGetErrorName"})
    EXPECT_EQ(names.count(needed), 1u) << needed;
  // CUDA-only slots stay empty for HIP; HIP-only slots stay empty for CUDA.
  EXPECT_EQ(slots.count(offsetof(DriverApi, cuFuncGetParamInfo)), 0u);
  EXPECT_EQ(slots.count(offsetof(DriverApi, cuCtxSetCurrent)), 0u);
  for (const DriverSymbol &s : driver_symbols(Vendor::Cuda))
    EXPECT_LT(s.offset, offsetof(DriverApi, hipGetErrorName)) << s.names[0];
}

TEST(HipTable, DeviceAttributesAreRocmNumbers) {
  // hip_runtime_api.h (ROCm 5.0 and later): warp size 87, max threads per block 56, ...
  EXPECT_EQ(device_attribute_code(Vendor::Hip, DeviceAttr::WarpSize), 87);
  EXPECT_EQ(device_attribute_code(Vendor::Hip, DeviceAttr::MaxThreadsPerBlock), 56);
  EXPECT_EQ(device_attribute_code(Vendor::Hip, DeviceAttr::MultiprocessorCount), 63);
  EXPECT_EQ(device_attribute_code(Vendor::Cuda, DeviceAttr::WarpSize), 10);
  std::set<int> codes;
  for (DeviceAttr a :
       {DeviceAttr::MaxThreadsPerBlock, DeviceAttr::MaxBlockDimX, DeviceAttr::MaxBlockDimY,
        DeviceAttr::MaxBlockDimZ, DeviceAttr::MaxGridDimX, DeviceAttr::MaxGridDimY,
        DeviceAttr::MaxGridDimZ, DeviceAttr::MaxSharedMemoryPerBlock, DeviceAttr::WarpSize,
        DeviceAttr::MultiprocessorCount, DeviceAttr::MemoryClockRate,
        DeviceAttr::GlobalMemoryBusWidth, DeviceAttr::L2CacheSize, DeviceAttr::UnifiedAddressing,
        DeviceAttr::ComputeCapabilityMajor, DeviceAttr::ComputeCapabilityMinor,
        DeviceAttr::MaxSharedMemoryPerBlockOptin})
    EXPECT_TRUE(codes.insert(device_attribute_code(Vendor::Hip, a)).second);
  EXPECT_EQ(launch_param_end(Vendor::Hip), reinterpret_cast<void *>(uintptr_t{3}));
  EXPECT_EQ(launch_param_end(Vendor::Cuda), nullptr);
}

TEST(HipTable, AMissingRuntimeIsAHipReason) {
  CudaDriver d("/nonexistent/ember-test/libamdhip64.so", Vendor::Hip);
  std::string reason;
  EXPECT_FALSE(d.available(&reason));
  EXPECT_NE(reason.find("HIP runtime"), std::string::npos) << reason;
  EXPECT_NE(reason.find("EMBER_HIP_LIBRARY"), std::string::npos) << reason;
  try {
    d.alloc(16);
    FAIL() << "alloc() without a runtime returned";
  } catch (const CudaUnavailable &e) {
    EXPECT_EQ(e.call(), "dlopen");
    EXPECT_EQ(e.vendor(), Vendor::Hip);
  }
  CudaDriver m("libm.so.6", Vendor::Hip);
  EXPECT_FALSE(m.available(&reason));
  EXPECT_NE(reason.find("lacks the HIP function hipInit"), std::string::npos) << reason;
}

TEST(HipTable, UnnamedErrorsSayHip) {
  EXPECT_EQ(format_cuda_error("hipFoo", 7, "", "", Vendor::Hip), "hipFoo failed: HIP error (7)");
}
