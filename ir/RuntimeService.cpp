// Names and descriptions of the runtime services (RuntimeService.h).
#include "ir/RuntimeService.h"

namespace ember {

const char *service_name(RuntimeService s) {
  switch (s) {
#define EMBER_X(name, what) \
  case RuntimeService::name: return #name;
    EMBER_RUNTIME_SERVICES(EMBER_X)
#undef EMBER_X
    case RuntimeService::NumServices: break;
  }
  return "?";
}

const char *service_description(RuntimeService s) {
  switch (s) {
#define EMBER_X(name, what) \
  case RuntimeService::name: return what;
    EMBER_RUNTIME_SERVICES(EMBER_X)
#undef EMBER_X
    case RuntimeService::NumServices: break;
  }
  return "?";
}

}  // namespace ember
