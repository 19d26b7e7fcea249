/** \file IRPrinter.h
 * The stable text form of a Function: golden tests, `inspect_types()` and EMBER_DUMP use it.
 * It never prints pointers or anything else that changes from run to run.
 */
#pragma once

#include <string>

#include "ir/IR.h"

namespace ember {

/// One line per instruction; with source lines, each line of the user's code that starts a run
/// of instructions is printed above them as a comment (`# 12: y = x + 1`).
std::string print_function(const Function &f,
                           const std::vector<std::string> *source_lines = nullptr);

/// The text of one constant as the printer shows it (`1.5`, `'msg'`, `(1, 2)`).
std::string print_const(const ConstValue &c);

}  // namespace ember
