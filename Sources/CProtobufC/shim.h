#ifndef CPROTOBUFC_SHIM_H
#define CPROTOBUFC_SHIM_H

#include <protobuf-c/protobuf-c.h>

#if PROTOBUF_C_VERSION_NUMBER < 1003000
#error "protobuf-c 1.3 or newer is required"
#endif

#endif
