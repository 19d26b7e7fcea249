// Instances of @jitclass classes (ember/jitclass.h): a zeroed struct of fields in a MemInfo
// whose destructor releases what the fields hold.
#include "ember/jitclass.h"

#include <cstring>

#include "ember/runtime.h"

namespace {
void release_fields(void *data, int64_t, void *info) {
  ember_value_decref(static_cast<const ember_typeinfo *>(info), data);
}
}  // namespace

extern "C" ember_meminfo *ember_jitclass_new(const ember_typeinfo *fields) {
  int64_t size = ember_typeinfo_size(fields);
  ember_meminfo *mi = ember_meminfo_alloc(size > 0 ? size : 1);
  if (!mi) return nullptr;
  std::memset(mi->data, 0, static_cast<size_t>(size > 0 ? size : 1));
  mi->dtor = release_fields;
  mi->dtor_info = const_cast<ember_typeinfo *>(fields);
  return mi;
}
