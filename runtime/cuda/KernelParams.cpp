// KernelParams: a kernel's parameter layout (offsets at natural alignment, as NVPTX lays out
// `.param` space: i8 as .u8, half as .align 2 .b8[2], {float, float} as .align 4 .b8[8]) and
// the writer a launch fills it with.
#include "runtime/cuda/KernelParams.h"

#include <cstring>
#include <stdexcept>

namespace ember::cuda {

const char *arg_kind_name(ArgKind kind) {
  switch (kind) {
    case ArgKind::Array: return "array";
    case ArgKind::Pointer: return "pointer";
    case ArgKind::Int: return "int";
    case ArgKind::UInt: return "uint";
    case ArgKind::Bool: return "bool";
    case ArgKind::Float: return "float";
    case ArgKind::Complex: return "complex";
  }
  return "?";
}

namespace {

bool valid_size(const ArgSpec &a) {
  switch (a.kind) {
    case ArgKind::Array:
    case ArgKind::Pointer: return true;
    case ArgKind::Int:
    case ArgKind::UInt: return a.size == 1 || a.size == 2 || a.size == 4 || a.size == 8;
    case ArgKind::Bool: return a.size == 1;
    case ArgKind::Float: return a.size == 2 || a.size == 4 || a.size == 8;
    case ArgKind::Complex: return a.size == 8 || a.size == 16;
  }
  return false;
}

std::string describe_arg(const ArgSpec &a) {
  std::string s = arg_kind_name(a.kind);
  switch (a.kind) {
    case ArgKind::Array: return s + "(" + std::to_string(a.ndim) + ")";
    case ArgKind::Pointer: return s;
    case ArgKind::Int:
    case ArgKind::UInt:
    case ArgKind::Bool:
    case ArgKind::Float:
    case ArgKind::Complex: return s + "(" + std::to_string(a.size) + ")";
  }
  return s;
}

}  // namespace

ParamLayout::ParamLayout(std::vector<ArgSpec> args) : args_(std::move(args)) {
  uint64_t offset = 0;
  auto add = [&](uint32_t size, uint32_t align) {
    offset = (offset + align - 1) / align * align;
    slots_.push_back({static_cast<uint32_t>(offset), size, align});
    offset += size;
  };
  for (size_t i = 0; i < args_.size(); ++i) {
    const ArgSpec &a = args_[i];
    if (!valid_size(a))
      throw std::invalid_argument("kernel argument " + std::to_string(i) + ": " +
                                  std::to_string(a.size) + " bytes is not a size of " +
                                  arg_kind_name(a.kind));
    first_slot_.push_back(static_cast<uint32_t>(slots_.size()));
    switch (a.kind) {
      case ArgKind::Array:
        if (a.ndim > kMaxDims)
          throw std::invalid_argument("kernel argument " + std::to_string(i) + ": " +
                                      std::to_string(a.ndim) + " dimensions (at most " +
                                      std::to_string(kMaxDims) + ")");
        add(8, 8);
        for (uint32_t d = 0; d < 2 * a.ndim; ++d) add(8, 8);
        break;
      case ArgKind::Pointer: add(8, 8); break;
      case ArgKind::Int:
      case ArgKind::UInt:
      case ArgKind::Bool:
      case ArgKind::Float: add(a.size, a.size); break;
      case ArgKind::Complex: add(a.size, a.size / 2); break;
    }
    if (offset > kMaxBytes)
      throw std::invalid_argument("the kernel's parameters take more than " +
                                  std::to_string(kMaxBytes) + " bytes: " + describe());
  }
  buffer_size_ = static_cast<uint32_t>(offset);
}

std::string ParamLayout::describe() const {
  std::string s = "(";
  for (size_t i = 0; i < args_.size(); ++i) {
    if (i) s += ", ";
    s += describe_arg(args_[i]);
  }
  return s + ")";
}

ParamWriter::ParamWriter(const ParamLayout &layout, unsigned char *buffer, void **params)
    : layout_(layout), buffer_(buffer) {
  const std::vector<ParamSlot> &slots = layout.slots();
  for (size_t i = 0; i < slots.size(); ++i) params[i] = buffer + slots[i].offset;
}

void ParamWriter::put(uint32_t slot, const void *src, size_t bytes) {
  std::memcpy(buffer_ + layout_.slots()[slot].offset, src, bytes);
}

void ParamWriter::set_array(size_t arg, const ArrayValue &value) {
  uint32_t slot = layout_.first_slot(arg);
  uint32_t nd = layout_.args()[arg].ndim;
  put(slot, &value.data, 8);
  // shape and strides are consecutive 8-byte slots: one copy each
  if (nd) {
    std::memcpy(buffer_ + layout_.slots()[slot + 1].offset, value.shape, 8 * nd);
    std::memcpy(buffer_ + layout_.slots()[slot + 1 + nd].offset, value.strides, 8 * nd);
  }
}

void ParamWriter::set_pointer(size_t arg, uint64_t address) {
  put(layout_.first_slot(arg), &address, 8);
}

void ParamWriter::set_integer(size_t arg, uint64_t bits) {
  uint32_t slot = layout_.first_slot(arg);
  switch (layout_.slots()[slot].size) {
    case 1: {
      uint8_t v = static_cast<uint8_t>(bits);
      put(slot, &v, 1);
      break;
    }
    case 2: {
      uint16_t v = static_cast<uint16_t>(bits);
      put(slot, &v, 2);
      break;
    }
    case 4: {
      uint32_t v = static_cast<uint32_t>(bits);
      put(slot, &v, 4);
      break;
    }
    default: put(slot, &bits, 8); break;
  }
}

void ParamWriter::set_float(size_t arg, double value) {
  uint32_t slot = layout_.first_slot(arg);
  switch (layout_.slots()[slot].size) {
    case 2: {
      uint16_t v = float_to_half_bits(value);
      put(slot, &v, 2);
      break;
    }
    case 4: {
      float v = static_cast<float>(value);
      put(slot, &v, 4);
      break;
    }
    default: put(slot, &value, 8); break;
  }
}

void ParamWriter::set_complex(size_t arg, double re, double im) {
  uint32_t slot = layout_.first_slot(arg);
  if (layout_.slots()[slot].size == 8) {
    float v[2] = {static_cast<float>(re), static_cast<float>(im)};
    put(slot, v, 8);
  } else {
    double v[2] = {re, im};
    put(slot, v, 16);
  }
}

uint16_t float_to_half_bits(double value) {
  uint64_t u;
  std::memcpy(&u, &value, 8);
  uint16_t sign = static_cast<uint16_t>((u >> 48) & 0x8000);
  int exp = static_cast<int>((u >> 52) & 0x7ff);
  uint64_t frac = u & ((1ull << 52) - 1);
  if (exp == 0x7ff) return sign | (frac ? 0x7e00 : 0x7c00);
  if (exp == 0) return sign;  // a double subnormal is far below half's smallest value
  int e = exp - 1023;
  if (e > 15) return sign | 0x7c00;
  uint64_t m = frac | (1ull << 52);
  // Bits to drop: 42 to keep half's 10 fraction bits, more below half's normal range.
  int shift = e >= -14 ? 42 : 42 + (-14 - e);
  if (shift > 63) return sign;
  uint64_t q = m >> shift;
  uint64_t rem = m & ((1ull << shift) - 1);
  uint64_t halfway = 1ull << (shift - 1);
  if (rem > halfway || (rem == halfway && (q & 1))) ++q;
  // Normal: q carries the implicit bit (1024..2048), so adding it to (e + 14) << 10 gives the
  // exponent field e + 15 and lets a rounding carry reach the next exponent (or infinity).
  uint32_t bits = e >= -14 ? (static_cast<uint32_t>(e + 14) << 10) + static_cast<uint32_t>(q)
                           : static_cast<uint32_t>(q);
  if (bits >= 0x7c00) bits = 0x7c00;
  return static_cast<uint16_t>(sign | bits);
}

}  // namespace ember::cuda
