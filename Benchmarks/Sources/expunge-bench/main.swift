import Foundation

// expunge-bench run [--pairs N]       the driver: races Expunge against the peers
// expunge-bench sisa [--grid small|full] [--pairs N] [--store]
//                                      SISA unlearning against retraining and a PyTorch SISA
// expunge-bench certified [--pairs N]  certified removal against Guo et al.'s recipe in PyTorch
// expunge-bench worker <work> [...]   one measurement in this process, one JSON line out
//                                      (e.g. worker downdate --n 784 --reps 200: the
//                                      rank-1 Cholesky downdate and update alone)
let arguments = Array(CommandLine.arguments.dropFirst())
do {
  switch arguments.first {
  case "worker": try Workers.run(Array(arguments.dropFirst()))
  case "run": try Driver.run(Array(arguments.dropFirst()))
  case "sisa": try SISADriver.run(Array(arguments.dropFirst()))
  case "certified": try CertifiedDriver.run(Array(arguments.dropFirst()))
  default:
    print(
      "usage: expunge-bench run [--pairs N] | sisa [--grid small|full] [--pairs N] [--store]"
        + " | certified [--pairs N] | worker <work> [options]")
    exit(64)
  }
} catch {
  FileHandle.standardError.write(Data("expunge-bench: \(error)\n".utf8))
  exit(1)
}
