/** \file KernelParams.h
 * The parameter layout of a compiled kernel, computed once per kernel so that a launch only
 * writes values.  A kernel's arguments are described by ArgSpecs in argument order; an array
 * argument is flattened into 1 + 2*ndim kernel parameters (its data pointer, then shape[ndim]
 * and strides[ndim] as int64, strides in bytes), every other argument is one parameter passed
 * by value.  That is the contract the PTX target's kernel entry follows (issue 9's plan).
 *
 * ParamLayout gives each kernel parameter an offset in one buffer at its natural alignment
 * (as the PTX parameter space lays them out), and ParamWriter fills a caller-provided buffer and
 * the `void *params[]` array cuLaunchKernel reads, without allocating.
 */
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace ember::cuda {

/// What one kernel argument is.
enum class ArgKind : uint8_t {
  Array,    ///< flattened: data pointer, shape[ndim], strides[ndim]
  Pointer,  ///< a raw device address (8 bytes)
  Int,      ///< signed integer of `size` bytes (1, 2, 4, 8)
  UInt,     ///< unsigned integer of `size` bytes (1, 2, 4, 8)
  Bool,     ///< one byte, 0 or 1
  Float,    ///< IEEE float of `size` bytes (2 = float16 bits, 4, 8)
  Complex,  ///< two floats of size/2 bytes each (8 or 16), one parameter aligned as its half
};

const char *arg_kind_name(ArgKind kind);

/// One kernel argument: `size` is the byte size of a scalar (ignored for Array and Pointer),
/// `ndim` the dimensions of an Array (0..kMaxDims).
struct ArgSpec {
  ArgKind kind = ArgKind::Int;
  uint32_t size = 8;
  uint32_t ndim = 0;

  static ArgSpec array(uint32_t ndim) { return {ArgKind::Array, 8, ndim}; }
  static ArgSpec pointer() { return {ArgKind::Pointer, 8, 0}; }
  static ArgSpec scalar(ArgKind kind, uint32_t size) { return {kind, size, 0}; }
};

/// One kernel parameter: where it lies in the buffer.
struct ParamSlot {
  uint32_t offset = 0;
  uint32_t size = 0;
  uint32_t align = 1;
};

/// An array argument's values: its device address and its shape and strides (ndim each).
struct ArrayValue {
  uint64_t data = 0;
  const int64_t *shape = nullptr;
  const int64_t *strides = nullptr;
};

class ParamLayout {
 public:
  /// NumPy's limit on dimensions; more is refused.
  static constexpr uint32_t kMaxDims = 64;
  /// The parameter space every driver accepts (4 KiB; Volta and later with CUDA 12.1+ take
  /// 32 KiB, which a layout may use: the driver reports a launch that exceeds its limit).
  static constexpr uint32_t kMaxBytes = 32764;

  /// Throws std::invalid_argument for a bad spec (a size a kind cannot have, too many
  /// dimensions, a buffer beyond kMaxBytes).
  explicit ParamLayout(std::vector<ArgSpec> args);

  const std::vector<ArgSpec> &args() const { return args_; }
  const std::vector<ParamSlot> &slots() const { return slots_; }
  /// The index of argument i's first slot.
  uint32_t first_slot(size_t arg) const { return first_slot_[arg]; }
  /// Bytes of the packed buffer: the end of the last parameter (what the kernel's parameter
  /// space holds), not rounded up.
  uint32_t buffer_size() const { return buffer_size_; }
  size_t param_count() const { return slots_.size(); }
  /// "(array(2), int(4), float(8))": for messages.
  std::string describe() const;

 private:
  std::vector<ArgSpec> args_;
  std::vector<ParamSlot> slots_;
  std::vector<uint32_t> first_slot_;
  uint32_t buffer_size_ = 0;
};

/// Writes one launch's values into `buffer` (ParamLayout::buffer_size() bytes, 8-aligned) and
/// points `params[i]` at parameter i (ParamLayout::param_count() entries), as cuLaunchKernel's
/// kernelParams wants them.  Arguments are written in any order; each set_* writes its own
/// slots only.
class ParamWriter {
 public:
  ParamWriter(const ParamLayout &layout, unsigned char *buffer, void **params);

  void set_array(size_t arg, const ArrayValue &value);
  void set_pointer(size_t arg, uint64_t address);
  /// Int, UInt and Bool: the low `size` bytes of the value.
  void set_integer(size_t arg, uint64_t bits);
  /// Float: converted to the slot's width (float16 rounds to nearest even).
  void set_float(size_t arg, double value);
  void set_complex(size_t arg, double re, double im);

 private:
  void put(uint32_t slot, const void *src, size_t bytes);
  const ParamLayout &layout_;
  unsigned char *buffer_;
};

/// IEEE binary16 bits of a double, rounded to nearest even (infinities and NaN kept).
uint16_t float_to_half_bits(double value);

}  // namespace ember::cuda
