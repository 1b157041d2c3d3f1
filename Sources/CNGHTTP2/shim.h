#ifndef CNGHTTP2_SHIM_H
#define CNGHTTP2_SHIM_H

#include <nghttp2/nghttp2.h>

// The bridge targets nghttp2 1.52 (Debian 12): the ssize_t-based mem_recv/mem_send API and
// nghttp2_data_provider. Newer releases keep these, so one code path serves both.
#if !defined(NGHTTP2_VERSION_NUM) || NGHTTP2_VERSION_NUM < 0x013400
#error "nghttp2 1.52 or newer is required"
#endif

#endif
