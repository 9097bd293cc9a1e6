#ifndef FOLIO_CZLIB_SHIM_H
#define FOLIO_CZLIB_SHIM_H

#include <string.h>
#include <zlib.h>

/* deflateInit2 is a macro, which Swift cannot call. Raw deflate of one block of a larger
   input, as pigz does it: primed with the (up to) 32 KB that precede the block, so matches
   reach back across the seam and the ratio barely changes, and ended on a byte boundary
   (Z_SYNC_FLUSH) unless it is the last block (Z_FINISH). Blocks compressed apart, on any
   number of threads, and put end to end are one deflate stream, and the same input cut
   into the same blocks always gives the same bytes. Level 6, gzip's default: level 9 took
   over twice as long on a 3 MB manifest for 1% fewer bytes. Returns Z_OK, or a zlib error;
   `output` must hold compressBound(length) + 64 bytes. */
static inline int folio_deflate_block(const unsigned char *dictionary, size_t dictionaryLength,
                                      const unsigned char *input, size_t length, int last,
                                      unsigned char *output, size_t *outputLength) {
    z_stream stream;
    memset(&stream, 0, sizeof(stream));
    int status = deflateInit2(&stream, 6, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY);
    if (status != Z_OK) return status;
    if (dictionaryLength > 0) {
        status = deflateSetDictionary(&stream, dictionary, (uInt)dictionaryLength);
        if (status != Z_OK) { deflateEnd(&stream); return status; }
    }
    stream.next_in = (unsigned char *)input;
    stream.avail_in = (uInt)length;
    stream.next_out = output;
    stream.avail_out = (uInt)*outputLength;
    status = deflate(&stream, last ? Z_FINISH : Z_SYNC_FLUSH);
    int complete = last ? status == Z_STREAM_END : (status == Z_OK && stream.avail_in == 0 && stream.avail_out > 0);
    *outputLength = stream.total_out;
    deflateEnd(&stream);
    return complete ? Z_OK : Z_BUF_ERROR;
}

/* inflateInit2 is a macro too. Window bits 15 + 32: accept gzip or zlib headers. */
static inline int folio_inflate_init(z_stream *stream) {
    memset(stream, 0, sizeof(*stream));
    return inflateInit2(stream, 15 + 32);
}

#endif
