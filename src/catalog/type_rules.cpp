// docs/catalog.md's "Field types" table as data, row for row (the test compares them).
#include "catalog/catalog.h"

namespace crmsync::catalog {

const std::vector<TypeRule>& type_rules() {
  static const std::vector<TypeRule> rules = {
      {"boolean", "BOOLEAN", "INTEGER 0/1", "boolean", true, ""},
      {"combobox", "COMBOBOX", "TEXT", "text", true, ""},
      {"currency", "CURRENCY", "REAL", "numeric", true, ""},
      {"date", "DATE", "TEXT YYYY-MM-DD", "date", true, ""},
      {"datetime", "DATETIME", "TEXT ISO-8601 UTC YYYY-MM-DDTHH:MM:SS.sssZ", "timestamptz", true, ""},
      {"double", "DOUBLE (NUMBER when scale is 0)", "REAL", "double precision or numeric", true, ""},
      {"email", "EMAIL", "TEXT", "text", true, ""},
      {"id", "ID", "TEXT (18 characters)", "text", true, ""},
      {"int, long", "INT", "INTEGER", "bigint", true, ""},
      {"textarea, plaintextarea, length <= 255", "TEXTAREA", "TEXT", "text", true, ""},
      {"textarea, plaintextarea, length > 255", "LONG TEXT AREA", "TEXT", "text", true,
       "trimmed to 10,000 characters (code points, never splitting a UTF-8 sequence)"},
      {"textarea, richtextarea", "RICHTEXT", "TEXT", "text", true, "HTML kept"},
      {"percent", "PERCENT", "REAL", "numeric", true, ""},
      {"phone", "PHONE", "TEXT", "text", true, ""},
      {"picklist", "PICKLIST", "TEXT", "text", true, ""},
      {"reference to User only", "LOOKUP", "TEXT", "text", true,
       "the linked user's name is shown where the value is shown"},
      {"reference to other objects", "REFERENCE", "TEXT", "text", true,
       "not searchable; a reference to Campaign is not supported"},
      {"string", "STRING", "TEXT", "text", true, ""},
      {"time", "TIME", "TEXT HH:MM:SS.sssZ", "time", true, ""},
      {"url", "URL", "TEXT", "text", true, ""},
      {"address, encryptedstring, location, multipicklist, base64, anyType, and any type not above", "", "", "",
       false, "selecting one is refused with the field, its type and the reason"},
  };
  return rules;
}

}  // namespace crmsync::catalog
