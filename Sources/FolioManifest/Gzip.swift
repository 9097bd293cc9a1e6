import FolioCore
import FolioZlib
import Foundation

enum Gzip {
    /// The input is compressed in blocks of this size, in parallel (pigz's default size).
    static let blockSize = 128 * 1024
    private static let window = 32 * 1024

    /// A gzip member of `data`: one deflate stream made of blocks compressed on all cores,
    /// each primed with the 32 KB before it (see `folio_deflate_block`). The header has
    /// mtime 0 and the blocks do not depend on the number of threads, so the same input
    /// always gives the same bytes.
    static func compress(_ data: Data) throws -> Data {
        let count = data.count
        let blocks = max(1, (count + blockSize - 1) / blockSize)
        let compressed = data.withUnsafeBytes { raw in
            let input = Input(base: raw.bindMemory(to: UInt8.self).baseAddress)
            return concurrentMap(blocks) { index -> (part: [UInt8]?, checksum: UInt32) in
                let start = index * blockSize
                let length = min(blockSize, count - start)
                let dictionary = max(0, start - window)
                let block = UnsafeBufferPointer(start: input.at(start), count: length)
                let part = deflateBlock(dictionary: UnsafeBufferPointer(start: input.at(dictionary), count: start - dictionary), block, last: index == blocks - 1)
                return (part, CRC32.checksum(UnsafeRawBufferPointer(block)))
            }
        }
        let parts = compressed.compactMap(\.part), checksums = compressed.map(\.checksum)
        guard parts.count == compressed.count else { throw CocoaError(.fileWriteUnknown) }
        var checksum = checksums[0]
        for index in 1..<parts.count {
            checksum = CRC32.combine(checksum, checksums[index], secondLength: min(blockSize, count - index * blockSize))
        }
        // ID1 ID2, deflate, no flags, mtime 0, no extra flags, OS 3 (Unix): zlib's header.
        var member: [UInt8] = [0x1F, 0x8B, 8, 0, 0, 0, 0, 0, 0, 3]
        member.reserveCapacity(parts.reduce(18) { $0 + $1.count })
        for part in parts { member += part }
        for value in [UInt32(checksum), UInt32(truncatingIfNeeded: count)] {
            member += (0..<4).map { UInt8(truncatingIfNeeded: value >> (8 * $0)) }
        }
        return Data(member)
    }

    /// Whether `gzip` is a gzip member whose trailer (CRC-32 and length of the original)
    /// is that of `data`: a cheap check that a `.gz` beside a file still matches it.
    static func holds(_ gzip: Data?, _ data: Data) -> Bool {
        guard let gzip, gzip.count >= 18, gzip.starts(with: [0x1F, 0x8B]) else { return false }
        let trailer = [UInt8](gzip.suffix(8))
        func little(_ offset: Int) -> UInt32 {
            (0..<4).reduce(UInt32(0)) { $0 | UInt32(trailer[offset + $1]) << (8 * $1) }
        }
        let checksum = data.withUnsafeBytes(CRC32.checksum)
        return little(0) == checksum && little(4) == UInt32(truncatingIfNeeded: data.count)
    }

    /// The input's bytes, shared with the threads that compress it. Safe to send: the
    /// buffer is only read, and only inside `compress`'s `withUnsafeBytes`, which outlives
    /// `concurrentMap` (it returns once every thread is done).
    private struct Input: @unchecked Sendable {
        let base: UnsafePointer<UInt8>?
        func at(_ offset: Int) -> UnsafePointer<UInt8>? { base.map { $0 + offset } }
    }
}
