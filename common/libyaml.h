/*
 * libyaml.h: reach libyaml's <yaml.h> past our own common/yaml.h.
 *
 * common/ is first on the include path, so <yaml.h> would name our header.
 * This file is found through that same -I directory, and #include_next
 * continues the search after it, which reaches the system's libyaml.
 * Only common/yaml.c includes it, as <libyaml.h>.
 */
#ifndef MCP_LIBYAML_H
#define MCP_LIBYAML_H

#include_next <yaml.h>

#endif
