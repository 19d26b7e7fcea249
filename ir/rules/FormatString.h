/** \file FormatString.h
 * The fields of a literal str.format() template ("{} and {0:>8.2f}", "{{" for a brace), read at
 * compile time by typing (to check the fields against the arguments) and by lowering (to emit
 * the pieces).  Positional fields only, automatic or numbered (not both), with an optional
 * format spec; no conversions (!r), attribute or index lookups, or nested fields.
 */
#pragma once

#include <string>
#include <vector>

namespace ember {

struct FormatPiece {
  std::string text;  ///< literal text (when arg < 0), or the field's format spec
  int arg = -1;      ///< the positional argument of a field
};

/// Parses `tmpl` (UTF-8) into pieces; on failure returns false with *error set.
inline bool parse_format_string(const std::string &tmpl, std::vector<FormatPiece> *out,
                                std::string *error) {
  int next_auto = 0;
  bool automatic = false, numbered = false;
  std::string text;
  for (size_t i = 0; i < tmpl.size(); ++i) {
    char c = tmpl[i];
    if (c == '}') {
      if (i + 1 < tmpl.size() && tmpl[i + 1] == '}') {
        text += '}';
        ++i;
        continue;
      }
      *error = "Single '}' encountered in format string";
      return false;
    }
    if (c != '{') {
      text += c;
      continue;
    }
    if (i + 1 < tmpl.size() && tmpl[i + 1] == '{') {
      text += '{';
      ++i;
      continue;
    }
    size_t close = tmpl.find('}', i);
    if (close == std::string::npos) {
      *error = "Single '{' encountered in format string";
      return false;
    }
    std::string field = tmpl.substr(i + 1, close - i - 1);
    if (field.find('{') != std::string::npos) {
      *error = "nested fields in a format string are not supported in compiled code";
      return false;
    }
    size_t colon = field.find(':');
    std::string name = field.substr(0, colon);
    std::string spec = colon == std::string::npos ? "" : field.substr(colon + 1);
    if (name.find('!') != std::string::npos || name.find('.') != std::string::npos ||
        name.find('[') != std::string::npos) {
      *error =
          "conversions, attributes and indexing in format fields are not supported in "
          "compiled code";
      return false;
    }
    int arg;
    if (name.empty()) {
      automatic = true;
      arg = next_auto++;
    } else {
      numbered = true;
      arg = 0;
      for (char d : name) {
        if (d < '0' || d > '9') {
          *error = "keyword fields in format strings are not supported in compiled code";
          return false;
        }
        arg = arg * 10 + (d - '0');
      }
    }
    if (automatic && numbered) {
      *error = "cannot switch from automatic field numbering to manual field specification";
      return false;
    }
    if (!text.empty()) out->push_back({text, -1});
    text.clear();
    out->push_back({spec, arg});
    i = close;
  }
  if (!text.empty()) out->push_back({text, -1});
  return true;
}

}  // namespace ember
