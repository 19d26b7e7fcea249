/* The range of exception ids compiled code raises user classes by.  Builtin classes have the
 * fixed ids of ember/abi.h (below EMBER_EXC_FIRST_USER); a user class's id lies in
 * [EMBER_EXC_FIRST_USER, EMBER_EXC_ID_LIMIT) and is a hash of its module and qualname (the next
 * free id on a collision; bindings/Dispatcher.cpp), so that one class has the same id in every
 * process and code loaded from the on-disk cache raises and catches it.  The runtime keeps each
 * id's parent (runtime/Exceptions.cpp) for `except` clauses. */
#ifndef EMBER_EXCEPTION_IDS_H
#define EMBER_EXCEPTION_IDS_H

#define EMBER_EXC_ID_LIMIT 65536

#endif
