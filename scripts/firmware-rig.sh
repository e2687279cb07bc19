# The QEMU rig of scripts/test-firmware and scripts/test-sealed-key, sourced by both (not run on its own):
# host packages, timed parts, the test CA and the appliance image, the test's agent in a copy of the root
# file system, and a machine (OVMF, TCG, a TPM 2.0 from swtpm, user-mode network with only the LAN ports
# forwarded to 127.0.0.1) driven through the agent on a virtio serial port.
# The sourcing script sets RIG (its name, for messages), SRC, WORK, REUSE and DEB_ARGS first; this file
# changes into WORK.
HOST_PACKAGES=(qemu-system-x86 ovmf mmdebstrap grub-efi-amd64-bin grub-common dosfstools mtools gdisk
               e2fsprogs rauc squashfs-tools openssl curl python3 swtpm swtpm-tools)
missing=()
for p in "${HOST_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "$RIG: installing ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
OVMF_CODE=/usr/share/OVMF/OVMF_CODE_4M.fd
OVMF_VARS=/usr/share/OVMF/OVMF_VARS_4M.fd

T0=$(date +%s)
PART_T0=$T0
log() { echo "$RIG: $*"; }
QEMU_PID="" TPM_PID=""
stop_tpm() {
  if [ -n "$TPM_PID" ]; then kill "$TPM_PID" 2>/dev/null || true; wait "$TPM_PID" 2>/dev/null || true; fi
  TPM_PID=""
}
stop_vm() {
  if [ -n "$QEMU_PID" ]; then kill -9 "$QEMU_PID" 2>/dev/null || true; wait "$QEMU_PID" 2>/dev/null || true; fi
  QEMU_PID=""
  stop_tpm
}
trap stop_vm EXIT
trap 'exit 130' INT TERM
fail() {
  echo "$RIG: FAIL: $*" >&2
  [ -n "${CONSOLE:-}" ] && [ -f "$CONSOLE" ] && { echo "--- last lines of $CONSOLE" >&2; tail -n 40 "$CONSOLE" | tr -d '\r' >&2; }
  exit 1
}
part_begin() { PART_T0=$(date +%s); log "--- $*"; }
TIMES=()
part_end() { local s=$(( $(date +%s) - PART_T0 )); TIMES+=("$1: ${s} s"); log "PASS $1 (${s} s)"; }

mkdir -p "$WORK"
cd "$WORK"

# --- the test CA and the image --------------------------------------------------------------------------------
rig_image() { # the test CA and the image (scripts/make-image --demo-data), or those of an earlier run
  if [ "$REUSE" = 1 ] && [ -f image/rootfs.ext4 ] && [ -f image/esp.vfat ] && [ -f image/data.ext4 ] && [ -f ca.key ]; then
    log "reusing $WORK/image"
  else
    rm -rf image ca.* signer.*
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 30 -subj "/CN=kakehashi test-firmware CA" \
      -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign \
      -keyout ca.key -out ca.pem 2>/dev/null
    "$SRC/scripts/make-image" --keyring ca.pem --out "$WORK/image" --demo-data "${DEB_ARGS[@]}" > make-image.log 2>&1 \
      || { tail -n 30 make-image.log >&2; fail "scripts/make-image (log: $WORK/make-image.log)"; }
    grep '^make-image:' make-image.log | sed 's/^/  /'
  fi
  if [ ! -f signer.pem ]; then
    openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -subj "/CN=kakehashi test-firmware signer" \
      -keyout signer.key -out signer.csr 2>/dev/null
    printf 'basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\n' > signer.ext
    openssl x509 -req -in signer.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 30 -extfile signer.ext \
      -out signer.pem 2>/dev/null
  fi
  VERSION_N=$(debugfs -R 'cat /etc/kakehashi-release' image/rootfs.ext4 2>/dev/null | sed -n 's/^KAKEHASHI_VERSION=//p')
  [ -n "$VERSION_N" ] || fail "no KAKEHASHI_VERSION in the image's /etc/kakehashi-release"
  # N+1: the last number of N plus one (0.1.0 -> 0.1.1).
  VERSION_N1=$(sed -E 's/^(.*[^0-9])?([0-9]+)$/\1|\2/' <<<"$VERSION_N" | awk -F'|' '{ print (NF == 2) ? $1 ($2 + 1) : $0 ".1" }')
  log "image version N = $VERSION_N, update N+1 = $VERSION_N1"
}

# --- the test's way into the guest -----------------------------------------------------------------------------
rig_inject() { # the test's files for the guest (agent, releases, broken and hanging slots) in inject/
  # The test's way into the guest: an agent on a virtio serial port that runs the commands the test sends
  # (one line: id and base64 command; answer: id, exit code, base64 output). Only the test's copies of the
  # root file system get it; the image as built has none.
  mkdir -p inject
  cat > inject/agent <<'AGENT'
#!/bin/bash
# scripts/test-firmware's command agent (test only, never in an image that is shipped).
# Reading the port ends whenever the host side closes; then it is opened again.
while :; do
  if exec 3<>/dev/virtio-ports/kakehashi.test; then
    while IFS=' ' read -r id cmd <&3; do
      out=$(printf '%s' "$cmd" | base64 -d | timeout 1200 bash 2>&1); rc=$?
      printf '%s %s %s\n' "$id" "$rc" "$(printf '%s' "$out" | base64 -w0)" >&3
    done
    exec 3<&-
  fi
  sleep 1
done
AGENT
  cat > inject/agent.service <<'UNIT'
[Unit]
Description=scripts/test-firmware command agent (test only)
StartLimitIntervalSec=0
[Service]
ExecStart=/usr/local/sbin/kakehashi-test-agent
Restart=always
RestartSec=1
[Install]
WantedBy=multi-user.target
UNIT
  printf 'KAKEHASHI_VERSION=%s\n' "$VERSION_N1" > inject/release-n1
  printf 'KAKEHASHI_VERSION=%s\n' "$VERSION_N1-broken" > inject/release-broken
  printf 'KAKEHASHI_VERSION=%s\n' "$VERSION_N1-hang" > inject/release-hang
  # A slot whose boot stops in emergency mode: a file system it needs is not there.
  cp "$SRC/firmware/image/rootfs/etc/fstab" inject/fstab-hang
  printf 'PARTLABEL=kakehashi-missing /srv/missing ext4 defaults,x-systemd.device-timeout=5s 0 2\n' >> inject/fstab-hang
  printf '#!/bin/sh\n# scripts/test-firmware: a kakehashi that does not come up\necho "kakehashi: broken on purpose" >&2\nexit 1\n' \
    > inject/kakehashi-broken
  chmod 0755 inject/agent inject/kakehashi-broken
  chmod 0644 inject/agent.service inject/release-* inject/fstab-hang
}
debugfs_do() { # image commands...
  local img=$1; shift
  printf '%s\n' "$@" | debugfs -w -f - "$img" > debugfs.log 2>&1 || { cat debugfs.log >&2; fail "debugfs on $img"; }
  ! grep -qiE 'could not|not found|error' debugfs.log || { cat debugfs.log >&2; fail "debugfs on $img"; }
}
test_rootfs() { # out [release file] [kakehashi binary]
  cp --sparse=always image/rootfs.ext4 "$1"
  debugfs_do "$1" \
    "write inject/agent /usr/local/sbin/kakehashi-test-agent" \
    "write inject/agent.service /etc/systemd/system/kakehashi-test-agent.service" \
    "symlink /etc/systemd/system/multi-user.target.wants/kakehashi-test-agent.service /etc/systemd/system/kakehashi-test-agent.service"
  if [ -n "${2:-}" ]; then debugfs_do "$1" "rm /etc/kakehashi-release" "write $2 /etc/kakehashi-release"; fi
  if [ -n "${3:-}" ]; then debugfs_do "$1" "rm /usr/bin/kakehashi" "write $3 /usr/bin/kakehashi"; fi
  if [ -n "${4:-}" ]; then debugfs_do "$1" "rm /etc/fstab" "write $4 /etc/fstab"; fi
  e2fsck -fn "$1" > /dev/null 2>&1 || fail "e2fsck after changing $1"
}

# --- the virtual machine ------------------------------------------------------------------------------------------
read -r API_PORT ADMIN_PORT < <(python3 -c '
import socket
s = [socket.socket() for _ in range(2)]
for x in s: x.bind(("127.0.0.1", 0))
print(*[x.getsockname()[1] for x in s])')
BOOTS=0
RESETS=0
CONSOLE=""
# A guest reboot is a reset, as on the box: QEMU runs with -no-reboot, so a reboot ends the QEMU process
# and the test starts the same machine again at once (same disks, same UEFI variables, the serial log
# appended). A QEMU reset under TCG sometimes hangs before the firmware starts; a new process never does.
# The machine: DISK and VARS (its UEFI variables), TPM_DIR (the state of its TPM 2.0, swtpm: kept across
# power-ons like a chip; the appliance seals its keys to it), BUNDLES_DISK (a second, read-only disk; none
# when empty).
DISK=disk.img VARS=vars.fd TPM_DIR=tpm BUNDLES_DISK=""
# A TPM 2.0 for the machine: swtpm on a socket in TPM_DIR, made (manufactured) on first use.
start_tpm() {
  stop_tpm
  mkdir -p "$TPM_DIR"
  if [ ! -e "$TPM_DIR/tpm2-00.permall" ]; then
    swtpm_setup --tpm2 --tpmstate "$TPM_DIR" --createek --overwrite > "$TPM_DIR/setup.log" 2>&1 \
      || { cat "$TPM_DIR/setup.log" >&2; fail "swtpm_setup in $TPM_DIR"; }
  fi
  rm -f "$TPM_DIR/swtpm.sock"
  swtpm socket --tpm2 --tpmstate dir="$TPM_DIR" --ctrl type=unixio,path="$TPM_DIR/swtpm.sock" --terminate \
    --log file="$TPM_DIR/swtpm.log" &
  TPM_PID=$!
  local deadline=$(( $(date +%s) + 30 ))
  until [ -S "$TPM_DIR/swtpm.sock" ]; do
    kill -0 "$TPM_PID" 2>/dev/null || fail "swtpm for $TPM_DIR exited (see $TPM_DIR/swtpm.log)"
    [ "$(date +%s)" -lt "$deadline" ] || fail "swtpm made no socket in $TPM_DIR within 30 s"
    sleep 0.1
  done
}
launch_qemu() {
  rm -f agent.sock
  start_tpm
  local bundles=()
  [ -z "$BUNDLES_DISK" ] || bundles=(-drive "if=none,id=bundles,file=$BUNDLES_DISK,format=raw,readonly=on"
                                     -device virtio-blk-pci,drive=bundles)
  nice -n 10 qemu-system-x86_64 -machine q35 -accel tcg,thread=multi -cpu max -smp 2 -m 2048 -nographic -no-reboot \
    -drive if=pflash,format=raw,readonly=on,file="$OVMF_CODE" -drive if=pflash,format=raw,file="$VARS" \
    -drive if=none,id=sys,file="$DISK",format=raw,cache=unsafe,throttling.bps-write=104857600 -device virtio-blk-pci,drive=sys,bootindex=0 \
    "${bundles[@]}" \
    -chardev "socket,id=chrtpm,path=$TPM_DIR/swtpm.sock" -tpmdev emulator,id=tpm0,chardev=chrtpm -device tpm-tis,tpmdev=tpm0 \
    -device i6300esb -action watchdog=reset \
    -netdev "user,id=lan,restrict=on,hostfwd=tcp:127.0.0.1:$API_PORT-:8443,hostfwd=tcp:127.0.0.1:$ADMIN_PORT-:8444" \
    -device virtio-net-pci,netdev=lan,romfile= \
    -chardev "socket,id=agent,path=$WORK/agent.sock,server=on,wait=off" \
    -device virtio-serial-pci -device virtserialport,chardev=agent,name=kakehashi.test \
    -chardev "file,id=console,path=$CONSOLE,append=on" -serial chardev:console \
    -monitor none < /dev/null >> "qemu-$BOOTS.out" 2>&1 &
  QEMU_PID=$!
}
start_vm() { # power on
  BOOTS=$((BOOTS + 1))
  CONSOLE=$WORK/console-$BOOTS.log
  rm -f "$CONSOLE" "qemu-$BOOTS.out"
  launch_qemu
  log "QEMU started (power-on $BOOTS, pid $QEMU_PID, serial log $CONSOLE, API 127.0.0.1:$API_PORT)"
}
# vm_alive: QEMU runs; after a guest reboot (QEMU ended with status 0) it is started again.
vm_alive() {
  [ -n "$QEMU_PID" ] || return 1
  kill -0 "$QEMU_PID" 2>/dev/null && return 0
  local rc=0
  wait "$QEMU_PID" 2>/dev/null || rc=$?
  QEMU_PID=""
  [ "$rc" -eq 0 ] || return 1
  RESETS=$((RESETS + 1))
  launch_qemu
}
console_size() { stat -c %s "$CONSOLE" 2>/dev/null || echo 0; }
# wait_console PATTERN SECONDS [FROM]: PATTERN (extended regexp) in the serial log after byte FROM.
wait_console() {
  local deadline=$(( $(date +%s) + $2 )) from=${3:-0}
  while [ "$(date +%s)" -lt "$deadline" ]; do
    tail -c +$((from + 1)) "$CONSOLE" 2>/dev/null | tr -d '\r' | grep -aEq -- "$1" && return 0
    vm_alive || fail "QEMU exited while waiting for '$1' (see qemu-$BOOTS.out)"
    sleep 2
  done
  fail "no '$1' on the serial console within $2 s"
}
console_count() { tail -c +$(( ${2:-0} + 1 )) "$CONSOLE" | tr -d '\r' | grep -aEc -- "$1" || true; }
wait_healthz() { # seconds
  local deadline=$(( $(date +%s) + $1 ))
  while [ "$(date +%s)" -lt "$deadline" ]; do
    if [ "$(curl -sk --max-time 5 "https://127.0.0.1:$API_PORT/healthz" 2>/dev/null)" = '{"status":"ok"}' ]; then return 0; fi
    vm_alive || fail "QEMU exited while waiting for /healthz"
    sleep 3
  done
  fail "/healthz did not answer on 127.0.0.1:$API_PORT within $1 s"
}
cat > agent.py <<'PY'
# The host side of the test agent: agent.py SOCKET SECONDS COMMAND. Pings until the agent answers, then
# sends COMMAND once; prints its output and exits with its exit code (124 when no answer in time).
import base64, os, socket, sys, time
path, limit, command = sys.argv[1], float(sys.argv[2]), sys.argv[3]
deadline = time.time() + limit
def ask(sock, text, wait):
    tag = os.urandom(6).hex()
    sock.sendall(f"{tag} {base64.b64encode(text.encode()).decode()}\n".encode())
    buf, end = b"", min(deadline, time.time() + wait)
    while time.time() < end:
        sock.settimeout(max(0.1, end - time.time()))
        try:
            data = sock.recv(65536)
        except socket.timeout:
            break
        if not data:
            raise ConnectionError("closed")
        buf += data
        for line in buf.split(b"\n")[:-1]:
            parts = line.decode(errors="replace").split(" ")
            if parts[0] == tag:
                return int(parts[1]), base64.b64decode(parts[2] if len(parts) > 2 else "").decode(errors="replace")
    return None
while time.time() < deadline:
    try:
        with socket.socket(socket.AF_UNIX) as s:
            s.connect(path)
            while time.time() < deadline and ask(s, "true", 3) is None:
                pass
            answer = ask(s, command, deadline - time.time())
            if answer is not None:
                print(answer[1], end="" if answer[1].endswith("\n") or not answer[1] else "\n")
                sys.exit(answer[0])
    except (OSError, ConnectionError):
        time.sleep(1)
sys.exit(124)
PY
guest() { # seconds command — runs COMMAND in the guest as root
  python3 "$WORK/agent.py" "$WORK/agent.sock" "$1" "$2"
}
booted_slot() { guest 60 "sed -n 's/.*rauc\.slot=\([AB]\).*/\1/p' /proc/cmdline"; }
grubenv() { guest 60 "grub-editenv /boot/efi/EFI/kakehashi/grubenv list" | tr '\n' ' '; }
expect_env() { # name value env
  grep -qE "(^| )$1=$2( |$)" <<<"$3" || fail "GRUB environment: expected $1=$2 in: $3"
}
# power_off SECONDS: a clean shutdown from inside; QEMU ends (-no-reboot) and is not started again.
power_off() {
  guest 60 "systemctl --no-block poweroff" >/dev/null || true
  local deadline=$(( $(date +%s) + $1 ))
  while kill -0 "$QEMU_PID" 2>/dev/null; do
    [ "$(date +%s)" -lt "$deadline" ] || fail "the guest did not power off within $1 s"
    sleep 1
  done
  wait "$QEMU_PID" 2>/dev/null || true
  QEMU_PID=""
  stop_tpm
}
