import CScheduler
import Synchronization

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Expunge's own worker threads: `Threads.count − 1` of them beside the calling thread.
///
/// Every parallel loop and every split matrix product runs on this pool (OpenBLAS itself is
/// kept to one thread, see `Threads`). A job is a list of tasks `0..<count` whose split was
/// fixed before the job began; which thread runs which task changes nothing in the results,
/// so the same inputs give the same bits whatever the thread count.
///
/// Tasks are claimed one at a time, the caller claiming too, and the caller waits only for
/// tasks that were claimed, never for a worker to wake up: on a busy machine a worker that is
/// not scheduled in time simply does nothing, and the caller runs the tasks itself.
///
/// Between jobs a worker polls for `spinSeconds` (the gap between two products of a training
/// step is tens of microseconds, and waking a sleeping thread on a virtual machine costs as
/// much), yielding its core to any other runnable thread after the first `busySeconds`,
/// then sleeps on a condition variable. Unlike OpenBLAS's own threads, which spin for up to
/// 2²⁸ cycles after every call, no worker burns a core for long while the rest of the
/// program does serial work.
final class WorkerPool: @unchecked Sendable {
  static let shared = WorkerPool()

  /// How long an idle worker keeps polling for the next job before it sleeps.
  static let spinSeconds = 2e-3
  /// How long of that it polls without yielding its core.
  static let busySeconds = 100e-6

  /// Changed by the caller for every job, to `job · 1024 + helpers`; workers wait for it to
  /// change and read from the value they saw which job it is and whether they help with it.
  private let generation = Atomic<Int>(0)
  /// `job << 32 | next`: the job whose tasks are being claimed and its next unclaimed task.
  /// A worker claims by compare-and-swap on the whole word, so one that wakes late for a
  /// job can never claim a task of the next.
  private let claims = Atomic<Int>(0)
  /// Tasks of the current job that have finished.
  private let finished = Atomic<Int>(0)
  /// Workers inside `pthread_cond_wait` (or about to be): the caller signals only then.
  private let sleepers = Atomic<Int>(0)

  // The current job: written by the caller before `generation` changes (release), read by
  // workers after they see the change (acquire), and not rewritten before its every task
  // has finished.
  private var job = 0
  private var callerCPU: Int32 = -1
  private var taskCount = 0
  private var body: ((Int) -> Void)?

  // Heap-allocated: POSIX objects must not move, and a class's stored property has no
  // address that Swift promises to keep.
  private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
  private let wakeUp = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)
  /// Serializes callers: one job at a time; a second caller meanwhile runs its tasks itself.
  private let callerMutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
  private var started = 0

  private init() {
    pthread_mutex_init(mutex, nil)
    pthread_cond_init(wakeUp, nil)
    pthread_mutex_init(callerMutex, nil)
  }

  /// Runs `task(i)` for every `i` in `0..<count`, each exactly once, on up to
  /// `min(threads, count)` threads, and returns when all have finished. Tasks must write
  /// disjoint outputs. Called from inside a task, or while another caller's job runs, the
  /// tasks run in order on the calling thread.
  func run(_ count: Int, threads: Int, _ task: (Int) -> Void) {
    let helperCount = min(threads, count, 1024) - 1
    guard helperCount > 0, !WorkerThread.isCurrent, pthread_mutex_trylock(callerMutex) == 0
    else {
      for i in 0..<count { task(i) }
      return
    }
    defer { pthread_mutex_unlock(callerMutex) }
    precondition(count < 1 << 31, "WorkerPool: \(count) tasks in one job")
    startWorkers(upTo: helperCount)
    withoutActuallyEscaping(task) { escapable in
      job += 1
      callerCPU = sched_getcpu()
      taskCount = count
      body = escapable
      finished.store(0, ordering: .relaxed)
      claims.store(job << 32, ordering: .relaxed)
      generation.store(job &* 1024 + helperCount, ordering: .sequentiallyConsistent)
      if sleepers.load(ordering: .sequentiallyConsistent) > 0 {
        pthread_mutex_lock(mutex)
        pthread_cond_broadcast(wakeUp)
        pthread_mutex_unlock(mutex)
      }
      work(job: job)
      // Every task is claimed; wait for the ones workers are still running. Yielding lets a
      // worker that shares our core on a busy machine finish instead of being starved.
      var polls = 0
      while finished.load(ordering: .acquiring) < count {
        polls += 1
        if polls % 64 == 0 { sched_yield() }
      }
      body = nil
    }
  }

  /// Claims and runs tasks of job `number` until none is left (or another job has begun).
  private func work(job number: Int) {
    var word = claims.load(ordering: .relaxed)
    while true {
      let next = word & 0xFFFF_FFFF
      guard word >> 32 == number, next < taskCount else { return }
      let (exchanged, original) = claims.compareExchange(
        expected: word, desired: word + 1, ordering: .relaxed)
      if exchanged {
        body!(next)
        finished.add(1, ordering: .releasing)
        word = word + 1
      } else {
        word = original
      }
    }
  }

  private func startWorkers(upTo n: Int) {
    while started < n {
      let index = started
      started += 1
      // Read here, before the caller publishes the job the new worker is to join.
      let seen = generation.load(ordering: .acquiring)
      WorkerThread.start { [self] in workerLoop(index: index, seen: seen) }
    }
  }

  private func workerLoop(index: Int, seen: Int) -> Never {
    var seen = seen
    while true {
      var current = generation.load(ordering: .acquiring)
      if current == seen {
        let start = monotonicSeconds()
        var polls = 0
        while current == seen {
          polls += 1
          if polls % 256 == 0 {
            let waited = monotonicSeconds() - start
            if waited > Self.spinSeconds { break }
            if waited > Self.busySeconds { sched_yield() }
          }
          current = generation.load(ordering: .acquiring)
        }
      }
      if current == seen {
        pthread_mutex_lock(mutex)
        sleepers.add(1, ordering: .sequentiallyConsistent)
        current = generation.load(ordering: .sequentiallyConsistent)
        while current == seen {
          pthread_cond_wait(wakeUp, mutex)
          current = generation.load(ordering: .sequentiallyConsistent)
        }
        sleepers.subtract(1, ordering: .sequentiallyConsistent)
        pthread_mutex_unlock(mutex)
      }
      seen = current
      // Workers beyond this job's helper count sit it out.
      guard index < current & 1023 else { continue }
      if sched_getcpu() == callerCPU { WorkerThread.moveOff(cpu: callerCPU, worker: index) }
      work(job: current >> 10)
    }
  }
}

/// Seconds on the monotonic clock (a vDSO call, tens of nanoseconds).
func monotonicSeconds() -> Double {
  var t = timespec()
  clock_gettime(CLOCK_MONOTONIC, &t)
  return Double(t.tv_sec) + Double(t.tv_nsec) * 1e-9
}

/// A detached POSIX thread running a closure forever; knows whether the current thread is one.
enum WorkerThread {
  private static let key: pthread_key_t = {
    var key = pthread_key_t()
    pthread_key_create(&key, nil)
    return key
  }()

  static var isCurrent: Bool { pthread_getspecific(key) != nil }

  /// Moves the calling thread off `cpu`, onto the `worker`-th other CPU it may run on, and
  /// then lets it run anywhere again. Linux starts a new thread on its creator's CPU and
  /// does not move a thread that ran there recently (it counts as cache-hot): a worker and
  /// its caller would take turns on one core while the other stays idle.
  static func moveOff(cpu: Int32, worker: Int) {
    var allowed = [UInt64](repeating: 0, count: 16)  // a cpu_set_t: 1 024 bits
    guard sched_getaffinity(0, 128, &allowed) == 0 else { return }
    let others = (0..<1024).filter { $0 != Int(cpu) && allowed[$0 / 64] & (1 << ($0 % 64)) != 0 }
    guard !others.isEmpty else { return }
    let target = others[worker % others.count]
    var only = [UInt64](repeating: 0, count: 16)
    only[target / 64] = 1 << (target % 64)
    _ = sched_setaffinity(0, 128, only)
    _ = sched_setaffinity(0, 128, allowed)
  }

  private final class Box {
    let body: () -> Never
    init(_ body: @escaping () -> Never) { self.body = body }
  }

  static func start(_ body: @escaping () -> Never) {
    let context = Unmanaged.passRetained(Box(body)).toOpaque()
    var thread = pthread_t()
    var attributes = pthread_attr_t()
    pthread_attr_init(&attributes)
    pthread_attr_setdetachstate(&attributes, Int32(PTHREAD_CREATE_DETACHED))
    let rc = pthread_create(
      &thread, &attributes,
      { raw in
        pthread_setspecific(WorkerThread.key, UnsafeRawPointer(bitPattern: 1))
        Unmanaged<Box>.fromOpaque(raw!).takeRetainedValue().body()
      }, context)
    pthread_attr_destroy(&attributes)
    precondition(rc == 0, "WorkerPool: pthread_create failed (\(rc))")
  }
}
