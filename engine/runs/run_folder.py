"""The run folder's promises: one live process at a time, atomic --force, a sound journal.

* **Lock.** A process that writes a run folder holds an exclusive `fcntl.flock` on
  `LOCK_FILE` inside it (`lock`). flock rather than a pid file: the kernel releases a
  flock when its process ends, however it ends (SIGKILL, a crash, a power cut on a
  local disk), so a lock is never stale and nobody has to guess whether a recorded pid
  is still alive or was reused by another program (flock(2), POSIX advisory locks).
  The file also holds the owner's pid and host, only to name it in the refusal.
* **Atomic replacement.** `--force` writes the new run into a hidden sibling folder
  (`claim`) and swaps it in with `rename(2)` only once it has finished (`RunFolder.commit`);
  until then the previous run is untouched.
* **Journal repair.** `check_journal` drops a torn last record (a crash mid-write), keeping
  a copy of the original, and refuses a file that is not an Optuna journal at all.
* **Orphaned trials.** While the folder lock is held no other process can be running a
  trial of its journal, so every RUNNING trial found there was left by a dead process
  (`fail_orphaned_trials`).
* **No leftovers.** A new run that fails before any trial completes takes back what it
  created (`RunFolder.discard`), so the same command can simply be typed again; the
  staging folders of killed `--force` runs are removed by the next run on that folder
  (`remove_stale_staging`).
"""

from __future__ import annotations

import errno
import fcntl
import json
import os
import shutil
import socket
import sys
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from tuneplate.engine.contract.errors import TuneplateError

LOCK_FILE = ".tuneplate.lock"
STAGING = ".{name}.tuneplate-new-{pid}"  # where a --force run is written until it finishes
RETIRED = ".{name}.tuneplate-old-{pid}"  # the previous run, for the instant of the swap
ORPHANED = (
    "Interrupted: the process running this trial stopped (killed or crashed) before it "
    "finished; failed when the run was resumed"
)

_held: set[str] = set()  # folders this process holds the lock of (resolved paths)


def held(folder: str | Path | None) -> bool:
    """Whether this process holds `folder`'s lock, so nobody else can write it."""
    return folder is not None and str(Path(folder).resolve()) in _held


@dataclass
class FolderLock:
    """An exclusive flock on `folder/LOCK_FILE`; `release` (or the process ending) frees it."""

    folder: Path
    fd: int
    key: str

    def release(self) -> None:
        if self.fd < 0:
            return
        path = self.folder / LOCK_FILE
        try:  # remove the file only if it is still ours (the folder may have been renamed)
            if os.stat(path).st_ino == os.fstat(self.fd).st_ino:
                path.unlink()
        except OSError:
            pass
        os.close(self.fd)
        self.fd = -1
        _held.discard(self.key)


def _in_use(folder: Path, fd: int) -> TuneplateError:
    owner = os.pread(fd, 300, 0).decode("utf-8", "replace").split()
    who = f"process {owner[0]} on {owner[1]}" if len(owner) >= 2 else "another process"
    return TuneplateError(
        f"run folder {str(folder)!r} is in use by {who} "
        f"(tuneplate {' '.join(owner[2:]) or 'run'}); wait for it to finish or stop it, "
        "or use another --out"
    )


def refuse_if_in_use(folder: str | Path) -> None:
    """Refuse at once if another process holds `folder`'s lock; creates and changes nothing.

    Raises:
        TuneplateError: naming the process that holds it.
    """
    path = Path(folder) / LOCK_FILE
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return  # no lock file (or unreadable): nobody to name; `lock` decides later
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except BlockingIOError:
        raise _in_use(Path(folder), fd) from None
    finally:
        os.close(fd)


def _read_only(folder: Path, exc: OSError) -> TuneplateError:
    return TuneplateError(
        f"run folder {str(folder)!r} is read-only (cannot create {LOCK_FILE}: "
        f"{exc.strerror or exc}); make it writable (chmod u+w) or copy it somewhere writable "
        "and use that copy"
    )


def lock(folder: str | Path, command: str = "run") -> FolderLock:
    """Take `folder`'s lock at once, or refuse in one line naming the process that holds it.

    Example:
        >>> held_lock = lock(Path("tuneplate-runs/credit"))  # ... write the run ...
        >>> held_lock.release()
    Raises:
        TuneplateError: another process holds it, or the folder is read-only.
    """
    folder = Path(folder)
    path = folder / LOCK_FILE
    while True:
        try:
            fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as exc:
            if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
                raise _read_only(folder, exc) from None
            raise
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            error = _in_use(folder, fd)
            os.close(fd)
            raise error from None
        # The previous owner may have removed the file between our open and our flock:
        # then we lock an orphan inode, and must start again on the file now at `path`.
        try:
            same = os.stat(path).st_ino == os.fstat(fd).st_ino
        except FileNotFoundError:
            same = False
        if not same:
            os.close(fd)
            continue
        try:
            os.ftruncate(fd, 0)
            os.write(fd, f"{os.getpid()} {socket.gethostname()} {command}\n".encode())
        except OSError as exc:  # an immutable or read-only file we could open
            os.close(fd)
            raise _read_only(folder, exc) from None
        key = str(folder.resolve())
        _held.add(key)
        return FolderLock(folder, fd, key)


@dataclass
class RunFolder:
    """The folder a run writes: `target`, or with --force a staging sibling swapped in at
    the end (`commit`). `close` releases the locks and discards an uncommitted staging.

    Example:
        >>> folder = claim(Path("runs/credit"), replace=True, own=("results.json",))
        >>> (folder.work / "results.json").write_text("{}")
        >>> folder.commit(); folder.close()
    """

    target: Path
    work: Path
    own: tuple[str, ...] = ()
    locks: list[FolderLock] = field(default_factory=list)
    committed: bool = False
    # A new run into a folder that did not exist or was empty: nothing in it is the
    # user's, so a run that fails before any trial completes may take it all back.
    fresh: bool = False
    made: tuple[Path, ...] = ()  # folders `claim` created, deepest first
    cleaned: tuple[str, ...] = ()  # stale staging folders removed when claiming

    @property
    def staged(self) -> bool:
        return self.work != self.target

    def commit(self) -> None:
        """Swap the finished staging folder in; the user's own files move across."""
        if not self.staged or self.committed:
            self.committed = True
            return
        retired = self.target.parent / RETIRED.format(name=self.target.name, pid=os.getpid())
        os.rename(self.target, retired)
        try:
            os.rename(self.work, self.target)
        except OSError:
            os.rename(retired, self.target)  # put the previous run back before saying why
            raise
        for entry in retired.iterdir():  # what the user keeps there, e.g. notes.txt
            if entry.name not in self.own and entry.name != LOCK_FILE:
                os.rename(entry, self.target / entry.name)
        self.committed = True
        for held_lock in self.locks:  # the staging folder's lock file now lies in `target`
            if held_lock.folder == self.work:
                held_lock.folder = self.target
        self.work = self.target
        for held_lock in self.locks:
            held_lock.release()
        self.locks = []
        shutil.rmtree(retired, ignore_errors=True)

    def close(self) -> None:
        for held_lock in self.locks:
            held_lock.release()
        self.locks = []
        if self.staged and not self.committed:
            shutil.rmtree(self.work, ignore_errors=True)

    def discard(self) -> bool:
        """Take back a failed new run: release the lock, delete the run's own files and the
        folders `claim` created, leaving the place as it was. Only for a `fresh` folder
        (else nothing is removed but a --force staging); returns whether it was taken back.
        Anything else found there (put in by someone while the run ran) is kept.
        """
        self.close()
        if self.staged or not self.fresh:
            return False
        for name in self.own:
            path = self.work / name
            if path.is_file() or path.is_symlink():
                path.unlink(missing_ok=True)
        for folder in self.made:
            try:
                folder.rmdir()  # only when empty: never a file the run did not write
            except OSError:
                break
        return True


def open_existing(target: Path, command: str = "run --resume") -> RunFolder:
    """Lock an existing run folder to write into it in place (resume, report); a resume
    also removes the staging folders of killed --force runs (`RunFolder.cleaned`)."""
    folder = RunFolder(target, target, locks=[lock(target, command)])
    if command.startswith("run"):
        folder.cleaned = remove_stale_staging(target)
    return folder


def _missing_folders(target: Path) -> tuple[Path, ...]:
    """`target` and those of its parents that do not exist yet, deepest first."""
    missing = []
    for folder in (target, *target.parents):
        if folder.exists():
            break
        missing.append(folder)
    return tuple(missing)


def claim(target: Path, replace: bool, own: tuple[str, ...]) -> RunFolder:
    """Lock the folder for a new run; with `replace` and an earlier run there, the new run
    goes to a hidden sibling folder, so the earlier one stays whole until `commit`.

    Staging folders of earlier --force runs that were killed are removed first
    (`RunFolder.cleaned` names them)."""
    made = _missing_folders(target)
    target.mkdir(parents=True, exist_ok=True)
    locks = [lock(target, "run --force" if replace else "run")]
    try:
        cleaned = remove_stale_staging(target)
        if not replace or not any(p.name != LOCK_FILE for p in target.iterdir()):
            fresh = not any(p.name != LOCK_FILE for p in target.iterdir())
            return RunFolder(target, target, own, locks, fresh=fresh, made=made, cleaned=cleaned)
        staging = target.parent / STAGING.format(name=target.name, pid=os.getpid())
        shutil.rmtree(staging, ignore_errors=True)
        try:
            staging.mkdir()
        except OSError as exc:
            raise TuneplateError(
                f"--force writes the new run beside {str(target)!r} until it has finished, but "
                f"cannot create {str(staging)!r} ({exc.strerror or exc}); make "
                f"{str(target.parent)!r} writable, or use another --out"
            ) from None
        locks.append(lock(staging, "run --force"))
        return RunFolder(target, staging, own, locks, cleaned=cleaned)
    except BaseException:
        for held_lock in locks:
            held_lock.release()
        raise


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # exists, owned by someone else
        return True
    return True


def remove_stale_staging(target: Path) -> tuple[str, ...]:
    """Remove the staging folders of --force runs on `target` that were killed; their names.

    Stale means nobody holds its lock (the kernel frees a flock when its process dies)
    and, if it never got a lock file (killed between creating the folder and locking
    it), its pid from the name is no longer running. This process's own pid is left to
    `claim`. A live --force run always holds its staging folder's lock, so it is never
    touched.

    Example:
        >>> remove_stale_staging(Path("runs/credit"))  # after a --force run was killed
        ('.credit.tuneplate-new-4242',)
    """
    removed = []
    for stale in sorted(target.parent.glob(STAGING.format(name=target.name, pid="*"))):
        pid_text = stale.name.rsplit("-", 1)[-1]  # STAGING ends in the pid
        if not stale.is_dir() or not pid_text.isdigit() or int(pid_text) == os.getpid():
            continue
        had_lock = (stale / LOCK_FILE).exists()
        if not had_lock and _pid_alive(int(pid_text)):
            continue  # its run may be between creating the folder and locking it
        try:
            stale_lock = lock(stale)
        except (TuneplateError, OSError):
            continue  # a live --force run (or a folder we may not touch)
        stale_lock.release()
        shutil.rmtree(stale, ignore_errors=True)
        if not stale.exists():
            removed.append(stale.name)
    return tuple(removed)


# --- the journal -----------------------------------------------------------------------


def check_journal(path: Path, repair: bool) -> None:
    """Refuse a file that is not an Optuna journal; drop a torn last record.

    Optuna's `JournalFileBackend` writes one JSON object per line, each ending in a newline
    (optuna/storages/journal/_file.py). A crash mid-write leaves a last line without its
    newline (or cut inside a multi-byte character): Optuna skips it when reading but would
    append the next record onto it, corrupting the journal for good. With `repair`, that
    line is cut off, the original is kept as `study.journal.torn-TIME`, and one line on
    stderr says so.

    Raises:
        TuneplateError: a line other than the last is not a journal record.
    """
    if not path.is_file():
        return
    data = path.read_bytes()
    if not data:
        return
    lines = data.split(b"\n")
    tail = lines.pop()  # b"" when the file ends with a newline
    for number, line in enumerate(lines, start=1):
        if not _is_record(line):  # a whole line (it has its newline): not a torn write
            raise TuneplateError(
                f"{str(path)!r} is not an Optuna journal (line {number} is not a journal "
                "record); move it away and start a new run with --out, or restore it from a "
                "backup"
            )
    if not tail:
        return
    if not lines and not _is_record_start(tail):
        raise TuneplateError(
            f"{str(path)!r} is not an Optuna journal (its content is not journal records); "
            "move it away and start a new run with --out, or restore it from a backup"
        )
    if not repair:
        return
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    backup = path.with_name(f"{path.name}.torn-{stamp}")
    shutil.copy2(path, backup)
    kept = b"".join(line + b"\n" for line in lines)
    tmp = path.with_name(path.name + ".repairing")
    tmp.write_bytes(kept)
    os.replace(tmp, path)
    print(
        f"tuneplate: {path.name} ended in a record cut short by a crash ({len(tail)} bytes); "
        f"dropped it and kept the original as {backup.name}",
        file=sys.stderr,
    )


def _is_record(line: bytes) -> bool:
    try:
        record = json.loads(line)
    except ValueError:  # also UnicodeDecodeError
        return False
    return isinstance(record, dict) and "op_code" in record


def _is_record_start(line: bytes) -> bool:
    return line.startswith(b'{"op_code"')


def fail_orphaned_trials(storage) -> list[tuple[str, int]]:
    """Fail every RUNNING trial in `storage`; call only while holding the folder's lock.

    Each gets user attribute `fail_reason` (ORPHANED). A trial that was taken from the
    study's queue (a grid point, a prior, a warm start: it has fixed parameters) is queued
    again, so the search still tries it; the sampler proposes afresh for the others. Failed
    trials do not count against the budget, so a resume runs as many again.

    Returns:
        (study name, trial number) of each trial failed.
    """
    import optuna
    from optuna.trial import TrialState

    from tuneplate.engine.search.study import FAIL_REASON

    failed = []
    for summary in storage.get_all_studies():
        study_id = summary._study_id
        running = storage.get_all_trials(study_id, deepcopy=False, states=(TrialState.RUNNING,))
        for trial in running:
            storage.set_trial_user_attr(trial._trial_id, FAIL_REASON, ORPHANED)
            storage.set_trial_state_values(trial._trial_id, TrialState.FAIL)
            failed.append((summary.study_name, trial.number))
            fixed = trial.system_attrs.get("fixed_params")
            if fixed:
                study = optuna.load_study(study_name=summary.study_name, storage=storage)
                attrs = {k: v for k, v in trial.user_attrs.items() if k == "source"}
                study.enqueue_trial(fixed, user_attrs={**attrs, "retry_of": trial.number})
    return failed
