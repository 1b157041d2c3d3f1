#ifndef CPROTOBUFC_SHIM_H
#define CPROTOBUFC_SHIM_H

#include <protobuf-c/protobuf-c.h>

#if PROTOBUF_C_VERSION_NUMBER < 1003000
#error "protobuf-c 1.3 or newer is required"
#endif

// Swift cannot see through the PROTOBUF_C_MESSAGE_INIT macro or take the address of the
// empty-string constant without a cast, so these give it both.
static inline const char *CProtobufC_emptyString(void) { return protobuf_c_empty_string; }

#endif
