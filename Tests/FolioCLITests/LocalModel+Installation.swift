import FolioEval
import FolioTestSupport

extension LocalModel {
    /// The installation the demo and the server launcher read (one place knows its layout).
    static var installation: LocalModelServer.Installation { .init(folder: folder, launcher: launcher) }
    static var isInstalled: Bool { installation.isInstalled }
}
