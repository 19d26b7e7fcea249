/** \file CudaErrors.h
 * How a failed driver call becomes a C++ exception: CudaError carries the call's exported name,
 * the CUresult, its name and its text, formatted as
 * "cuMemAlloc_v2 failed: CUDA_ERROR_OUT_OF_MEMORY (2): out of memory".  The driver's own
 * cuGetErrorName/cuGetErrorString are asked first; when they fail (the toolkit's stub library
 * answers CUDA_ERROR_STUB_LIBRARY to everything, an old driver does not know a new code) the
 * names come from ember's table of every CUresult in CUDA 13's cuda.h, and the texts from a
 * shorter table of the common ones.  CudaUnavailable is the driver library that cannot be
 * opened or lacks a function.  Both derive from CudaFailure, which the Python binding turns
 * into ember.errors.CudaDriverError, or ember.errors.HipError for the HIP runtime's calls
 * (vendor()).  A HIP runtime names its own errors (hipGetErrorName), so only CUDA has tables.
 */
#pragma once

#include <stdexcept>
#include <string>

#include "runtime/cuda/CudaApi.h"

namespace ember::cuda {

/// The name of a CUresult from ember's table ("CUDA_ERROR_OUT_OF_MEMORY"), or nullptr when the
/// code is not in CUDA 13's cuda.h.
const char *fallback_error_name(int code);
/// A short description of the common CUresults ("out of memory"), or nullptr.
const char *fallback_error_text(int code);

/// "<call> failed: <name> (<code>)[: <text>]"; an unknown name is written "CUDA error" (or
/// "HIP error").
std::string format_cuda_error(const std::string &call, int code, const std::string &name,
                              const std::string &text, Vendor vendor = Vendor::Cuda);

/// Anything the CUDA host layer throws.  `call` names the failing step: the driver function's
/// exported name, or "dlopen"/"dlsym" when the library itself is the problem.
class CudaFailure : public std::runtime_error {
 public:
  CudaFailure(std::string call, const std::string &message, Vendor vendor = Vendor::Cuda)
      : std::runtime_error(message), call_(std::move(call)), vendor_(vendor) {}
  const std::string &call() const { return call_; }
  /// Whose library failed (the Python exception class follows it).
  Vendor vendor() const { return vendor_; }
  /// The CUresult, or -1 when no driver call failed (the library is missing).
  virtual int code() const { return -1; }
  /// The CUresult's name ("CUDA_ERROR_OUT_OF_MEMORY"), empty when there is no code.
  virtual const std::string &error_name() const;

 private:
  std::string call_;
  Vendor vendor_;
};

/// A driver call returned something other than CUDA_SUCCESS.
class CudaError : public CudaFailure {
 public:
  CudaError(const std::string &call, int code, std::string name, std::string text,
            const std::string &detail = "", Vendor vendor = Vendor::Cuda);
  int code() const override { return code_; }
  const std::string &error_name() const override { return name_; }
  const std::string &text() const { return text_; }

 private:
  int code_;
  std::string name_, text_;
};

/// The driver library could not be opened or lacks a required function.
class CudaUnavailable : public CudaFailure {
 public:
  using CudaFailure::CudaFailure;
};

}  // namespace ember::cuda
