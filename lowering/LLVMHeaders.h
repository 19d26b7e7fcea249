/** \file LLVMHeaders.h
 * Every LLVM include of ember, and the only place that may check LLVM_VERSION_MAJOR.  ember
 * builds against LLVM 19.1 (CMakeLists.txt pins it).
 */
#pragma once

#include <llvm/ADT/SmallVector.h>
#include <llvm/ADT/StringRef.h>
#include <llvm/Config/llvm-config.h>
#include <llvm/IR/BasicBlock.h>
#include <llvm/IR/Constants.h>
#include <llvm/IR/DataLayout.h>
#include <llvm/IR/DerivedTypes.h>
#include <llvm/IR/Function.h>
#include <llvm/IR/IRBuilder.h>
#include <llvm/IR/Intrinsics.h>
#include <llvm/IR/LLVMContext.h>
#include <llvm/IR/MDBuilder.h>
#include <llvm/IR/Module.h>
#include <llvm/IR/Type.h>
#include <llvm/IR/Verifier.h>

#if LLVM_VERSION_MAJOR != 19
#error "ember is written against LLVM 19"
#endif
