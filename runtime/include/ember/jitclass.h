/* ember/jitclass.h — instances of @jitclass classes in compiled code.
 *
 * An instance is an ember_meminfo whose data is the C struct of its fields (laid out as the
 * tuple of the field types, ember/abi.h), counted like a container's MemInfo: compiled code and
 * the Python object that boxes it (bindings/Jitclass.cpp) each hold references.  The struct
 * starts zeroed (no references, empty optionals); when the last reference goes, the destructor
 * releases the references its fields hold (arrays, strings, containers, other instances),
 * described by the typeinfo of that tuple.
 */
#ifndef EMBER_JITCLASS_H
#define EMBER_JITCLASS_H

#include "ember/containers.h"

#ifdef __cplusplus
extern "C" {
#endif

/* A new instance whose fields are described by `fields` (a tuple typeinfo), zeroed; NULL when
 * out of memory. */
ember_meminfo *ember_jitclass_new(const ember_typeinfo *fields);

#ifdef __cplusplus
}
#endif

#endif /* EMBER_JITCLASS_H */
