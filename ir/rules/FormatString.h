/** \file FormatString.h
 * The fields of a literal str.format() template ("{} and {0:>8.2f}", "{{" for a brace), and of a
 * literal %-format ("%d items, %-8s|%.3f %%"), read at compile time by typing (to check the
 * fields against the arguments) and by lowering (to emit the pieces).  str.format: positional
 * fields only, automatic or numbered (not both), with an optional format spec; no conversions
 * (!r), attribute or index lookups, or nested fields.  %-formats: the conversions d i u x X o e E
 * f F g G s with flags, width and precision (no `*`, no mapping keys, no %r %a %c), each turned
 * into the equivalent str.format spec.
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

/// How a %-conversion reads its value before formatting it with the piece's spec.
enum class PercentConv : unsigned char { Int, Float, Str };

struct PercentPiece {
  std::string text;  ///< literal text (when arg < 0), or the equivalent str.format spec
  int arg = -1;      ///< the value's position in the right operand
  PercentConv conv = PercentConv::Str;
};

/// Parses a %-format (UTF-8) into pieces; on failure returns false with *error set.
inline bool parse_percent_format(const std::string &tmpl, std::vector<PercentPiece> *out,
                                 std::string *error) {
  std::string text;
  int next = 0;
  for (size_t i = 0; i < tmpl.size(); ++i) {
    if (tmpl[i] != '%') {
      text += tmpl[i];
      continue;
    }
    if (++i >= tmpl.size()) {
      *error = "incomplete format";
      return false;
    }
    if (tmpl[i] == '%') {
      text += '%';
      continue;
    }
    bool left = false, zero = false, alt = false;
    char sign = 0;
    for (; i < tmpl.size(); ++i) {
      char f = tmpl[i];
      if (f == '-')
        left = true;
      else if (f == '0')
        zero = true;
      else if (f == '#')
        alt = true;
      else if (f == '+')
        sign = '+';
      else if (f == ' ')
        sign = sign ? sign : ' ';
      else
        break;
    }
    std::string width, precision;
    bool has_precision = false;
    while (i < tmpl.size() && tmpl[i] >= '0' && tmpl[i] <= '9') width += tmpl[i++];
    if (i < tmpl.size() && tmpl[i] == '.') {
      has_precision = true;
      ++i;
      while (i < tmpl.size() && tmpl[i] >= '0' && tmpl[i] <= '9') precision += tmpl[i++];
      if (precision.empty()) precision = "0";
    }
    while (i < tmpl.size() && (tmpl[i] == 'h' || tmpl[i] == 'l' || tmpl[i] == 'L')) ++i;
    if (i >= tmpl.size()) {
      *error = "incomplete format";
      return false;
    }
    char type = tmpl[i];
    if (type == '*' || type == '(') {
      *error = "'*' widths and mapping keys in %-formats are not supported in compiled code";
      return false;
    }
    PercentPiece piece;
    piece.arg = next++;
    std::string spec;
    if (type == 's') {
      piece.conv = PercentConv::Str;
      if (!width.empty()) spec += left ? '<' : '>';
      spec += width;
      if (has_precision) spec += "." + precision;
    } else {
      bool is_int =
          type == 'd' || type == 'i' || type == 'u' || type == 'x' || type == 'X' || type == 'o';
      bool is_float = std::string("eEfFgG").find(type) != std::string::npos;
      if (!is_int && !is_float) {
        *error = std::string("the %-format conversion '") + type +
                 "' is not supported in compiled code (d i u x X o e E f F g G s are)";
        return false;
      }
      if (is_int && has_precision) {
        *error = "a precision with an integer %-conversion is not supported in compiled code";
        return false;
      }
      piece.conv = is_int ? PercentConv::Int : PercentConv::Float;
      if (left) spec += '<';
      if (sign) spec += sign;
      if (alt) spec += '#';
      if (zero && !left && !width.empty()) spec += '0';
      spec += width;
      if (has_precision) spec += "." + precision;
      spec += (type == 'i' || type == 'u') ? 'd' : type;
    }
    piece.text = spec;
    if (!text.empty()) out->push_back({text, -1, PercentConv::Str});
    text.clear();
    out->push_back(piece);
  }
  if (!text.empty()) out->push_back({text, -1, PercentConv::Str});
  return true;
}

}  // namespace ember
