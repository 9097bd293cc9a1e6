#ifndef FOLIO_CZLIB_SHIM_H
#define FOLIO_CZLIB_SHIM_H

#include <string.h>
#include <zlib.h>

/* deflateInit2 is a macro, which Swift cannot call. Compresses `input` into a gzip member
   (mtime 0, so the same input always gives the same bytes) at level 6, gzip's default:
   level 9 took over twice as long on a 3 MB manifest for 1% fewer bytes. Returns Z_OK, or a zlib error;
   `output` must hold compressBound(length) + 32 bytes. */
static inline int folio_gzip(const unsigned char *input, size_t length, unsigned char *output, size_t *outputLength) {
    z_stream stream;
    memset(&stream, 0, sizeof(stream));
    int status = deflateInit2(&stream, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY);
    if (status != Z_OK) return status;
    stream.next_in = (unsigned char *)input;
    stream.avail_in = (uInt)length;
    stream.next_out = output;
    stream.avail_out = (uInt)*outputLength;
    status = deflate(&stream, Z_FINISH);
    *outputLength = stream.total_out;
    deflateEnd(&stream);
    return status == Z_STREAM_END ? Z_OK : Z_BUF_ERROR;
}

/* inflateInit2 is a macro too. Window bits 15 + 32: accept gzip or zlib headers. */
static inline int folio_inflate_init(z_stream *stream) {
    memset(stream, 0, sizeof(*stream));
    return inflateInit2(stream, 15 + 32);
}

#endif
