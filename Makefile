# SPDX-License-Identifier: GPL-2.0
#
# ioasid-trace: one entry point.  `make help` lists the targets.
#
# Kernel trees and their builds live outside git in $(IOASID_CACHE)
# (default ~/.cache/ioasid-trace), keyed by Debian version, patches and
# config; userspace builds go to build/k/<key>/ against that tree's uAPI.

SHELL := /bin/bash
.NOTPARALLEL:
.DEFAULT_GOAL := all

STOCK ?= 0
# DEBUG=1: the debug flavour (KASAN, lockdep, kmemleak, UBSAN) for make soak.
DEBUG ?= 0
# MODULES=1: the modules flavour (iommufd and VFIO as modules, as on a
# distribution kernel), booted by make test and make test-modules.
MODULES ?= 0
# COMPAT=1: the compat flavour (iommufd serves /dev/vfio/vfio, no VFIO
# container or type1) for make test-compat.
COMPAT ?= 0
# DEBCONFIG=1: Debian's own config (for make kernel-deb: a real host's
# kernel with the series; not bootable in the testbed).
DEBCONFIG ?= 0
# The kernel base: 6.12 (Debian stable's LTS, patches/6.12/) or mainline
# (the posting stack, patches/mainline/).  Scripts read IOASID_BASE.
BASE ?= $(or $(IOASID_BASE),6.12)
export IOASID_BASE := $(BASE)
KERNEL_SH := IOASID_BASE=$(BASE) testbed/kernel.sh
KFLAVOUR := STOCK=$(STOCK) IOASID_DEBUG=$(DEBUG) IOASID_MODULES=$(MODULES) IOASID_COMPAT=$(COMPAT) IOASID_DEBCONFIG=$(DEBCONFIG)
KEY := $(shell $(KFLAVOUR) $(KERNEL_SH) key)
TREE := $(shell $(KFLAVOUR) $(KERNEL_SH) tree)
# Userspace always builds against the patched (non-debug) tree's headers.
UTREE := $(shell STOCK=0 IOASID_DEBUG=0 $(KERNEL_SH) tree)
UKEY := $(shell STOCK=0 IOASID_DEBUG=0 $(KERNEL_SH) key)
B := build/k/$(UKEY)
HDRSTAMP := $(UTREE)/.ioasid-headers

CC := gcc
CFLAGS := -O2 -g -Wall -Wextra -Wno-unused-parameter -std=gnu11 -D_GNU_SOURCE
UAPI := -isystem $(UTREE)/usr/include
KSFT := $(UTREE)/tools/testing/selftests

LIB_SRC := lib/vfio.c lib/tracefs.c lib/json.c lib/hist.c lib/cli.c lib/benchstat.c lib/sysinfo.c lib/abba.c
LIB_HDR := $(wildcard lib/*.h)
LDLIBS := -lm
# Guest programs: the tests in testbed/tests/, tracepoints/tests/ and
# bpf/tests/ (kselftest harness from the tree) and the benchmarks in
# bench/, each one binary in $(B).
# tracepoints/tests/nullable is a BPF object and its libbpf loader: its
# own rules below.
GUEST_TESTS := $(patsubst %.c,$(B)/%,$(notdir $(filter-out tracepoints/tests/nullable%, \
	$(wildcard testbed/tests/*.c tracepoints/tests/*.c bpf/tests/*.c bench/*.c)))) $(B)/vmstart

.PHONY: all help deps kernel headers selftests guest fio-engine bpf tools vmlinux-h test test-all bench report overhead soak demo \
	host-test compare-stock check-patches info clean clean-cache test-modules test-compat kernel-deb

all: kernel guest bpf tools

help:
	@echo "make deps          install the Debian packages the project needs"
	@echo "make kernel        build the testbed kernel (STOCK=1: without our series;"
	@echo "                   BASE=mainline: Debian's 7.3 and patches/mainline/, default 6.12;"
	@echo "                   DEBUG=1: the debug flavour, KASAN/lockdep/kmemleak/UBSAN;"
	@echo "                   MODULES=1: iommufd and VFIO as modules, as a distribution builds them;"
	@echo "                   COMPAT=1: iommufd serves /dev/vfio/vfio, no VFIO container or type1)"
	@echo "make kernel-deb    that kernel as Debian packages for a real host (bindeb-pkg) -> its tree's .deb/"
	@echo "                   (DEBCONFIG=1: built from Debian's own config, hours on a few CPUs)"
	@echo "make headers       install the tree's uAPI headers for userspace"
	@echo "make guest         build the guest tests, selftests and dmaprobe"
	@echo "make fio-engine    the nvme-vfio fio ioengine (fetches fio's Debian source once)"
	@echo "make bpf           build the BPF tools into build/bpf/"
	@echo "make tools         build tools/*/ (ioasid-top) into build/tools/"
	@echo "make vmlinux-h     regenerate build/bpf/vmlinux.h from the kernel's BTF"
	@echo "make install       the tools, their man pages and pages into \$$(DESTDIR)\$$(PREFIX)"
	@echo "                   (PREFIX=/usr/local: sbin/, share/man/man8/, share/doc/ioasid-trace/)"
	@echo "make uninstall     remove what make install installed (same PREFIX, DESTDIR)"
	@echo "make deb           the Debian packages: source and ioasid-trace-tools -> build/deb/ (lintian-checked)"
	@echo "make test          everything on one base (BASE, default 6.12) in the booted testbed,"
	@echo "                   the other base's series applied and compiled; ends 'N passed, N failed'"
	@echo "make test-all      the whole suite on each base (TEST_BASES=\"6.12 mainline\")"
	@echo "make test-modules  only make test's boot of the modules flavour: no module loaded to all"
	@echo "make test-compat   events, maplat, mapbench and the selftests on the compat flavour"
	@echo "                   (iommufd serves /dev/vfio/vfio: type1's ioctls on iommufd)"
	@echo "make bench         mapbench, vmstart, fio, fault benches in the testbed (BENCH_ARGS=-q: tiny)"
	@echo "make report        every benchmark + overhead -> results/<date>-<platform>/, regression"
	@echo "                   check against results/baseline (BASELINE=dir, REPORT_ARGS=-q: tiny)"
	@echo "make overhead      what the series and each tool cost the map/unmap loop (report)"
	@echo "make soak          the debug kernel (KASAN, lockdep, kmemleak) raced by every path, tool"
	@echo "                   and event toggle for SOAK_MINUTES (30); SOAK_SEED replays one"
	@echo "make demo          boot the testbed and show the project at work"
	@echo "make compare-stock run the iommufd selftests on stock and patched kernels"
	@echo "make check-patches git am, checkpatch --strict and a build after every patch,"
	@echo "                   for both stacks (CHECK_BASES=\"6.12 mainline\")"
	@echo "make info          kernel key, tree and build state"
	@echo "make clean         remove build/;  make clean-cache: also the kernel trees"

deps:
	@testbed/deps

kernel: deps
	@$(KFLAVOUR) $(KERNEL_SH) build

# Debian packages of that kernel for a real host (bindeb-pkg, the tree's config).
kernel-deb: kernel
	@$(KFLAVOUR) $(KERNEL_SH) deb

$(HDRSTAMP):
	@STOCK=0 IOASID_DEBUG=0 $(KERNEL_SH) headers

headers: deps $(HDRSTAMP)

$(B)/selftests/iommufd $(B)/selftests/slow/iommufd &: $(HDRSTAMP)
	@OUT=$(CURDIR)/$(B)/selftests STOCK=0 IOASID_DEBUG=0 $(KERNEL_SH) selftests

selftests: deps $(B)/selftests/iommufd $(B)/selftests/slow/iommufd

$(B)/%: testbed/tests/%.c $(LIB_SRC) $(LIB_HDR) $(HDRSTAMP)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(UAPI) -I$(KSFT) -Ilib -o $@ $< $(LIB_SRC) $(LDLIBS)

$(B)/%: tracepoints/tests/%.c tracepoints/tests/mock_harness.h $(LIB_SRC) $(LIB_HDR) $(HDRSTAMP)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(UAPI) -I$(KSFT) -Ilib -o $@ $< $(LIB_SRC) $(LDLIBS)

$(B)/%: bpf/tests/%.c $(LIB_SRC) $(LIB_HDR) $(HDRSTAMP)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(UAPI) -I$(KSFT) -Ilib -o $@ $< $(LIB_SRC) $(LDLIBS) -lpthread

# bench/X.c, and the pieces in bench/X/ if there is such a directory.
$(B)/%: bench/%.c $(LIB_SRC) $(LIB_HDR) $(HDRSTAMP)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(UAPI) -I$(KSFT) -Ilib -o $@ $< $(wildcard bench/$*/*.c) $(LIB_SRC) \
		$(LDLIBS) -lpthread

$(B)/mapbench: $(wildcard bench/mapbench/*.c bench/mapbench/*.h)

# vmstart is the files of bench/vmstart/ (vmstart.h says which does what).
VMSTART_SRC := $(wildcard bench/vmstart/*.c)
$(B)/vmstart: $(VMSTART_SRC) bench/vmstart/vmstart.h $(LIB_SRC) $(LIB_HDR) $(HDRSTAMP)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(UAPI) -Ilib -o $@ $(VMSTART_SRC) $(LIB_SRC) $(LDLIBS)

# nvmeio and the fio engine link the userspace NVMe driver (bench/nvme/).
NVME_SRC := $(wildcard bench/nvme/*.c)
NVME_HDR := $(wildcard bench/nvme/*.h)
$(B)/nvmeio: bench/nvmeio.c $(NVME_SRC) $(NVME_HDR) $(LIB_SRC) $(LIB_HDR) $(HDRSTAMP)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(UAPI) -Ilib -Ibench/nvme -o $@ $< $(NVME_SRC) $(LIB_SRC) $(LDLIBS) -lpthread

# The fio external ioengine, compiled against the installed fio's own
# source (fetched once with apt-get source: bench/fio/get-fio-src).
$(B)/nvme-vfio.so: bench/fio/nvme-vfio.c $(NVME_SRC) $(NVME_HDR) lib/vfio.c lib/vfio.h \
		lib/sysinfo.c lib/sysinfo.h $(HDRSTAMP)
	bench/fio/build-engine $@ $(UTREE)/usr/include

fio-engine: deps $(B)/nvme-vfio.so

$(B)/dmaprobe: testbed/dmaprobe.c $(LIB_SRC) $(LIB_HDR) $(HDRSTAMP)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(UAPI) -Ilib -o $@ $< $(LIB_SRC) $(LDLIBS)

guest: deps $(GUEST_TESTS) $(B)/dmaprobe $(B)/selftests/iommufd $(B)/selftests/slow/iommufd \
	$(B)/nullable $(B)/emptytp

# BPF tools: x.bpf.c + x.c + x.h in bpf/, built into $(BPF_OUT) with
# a vmlinux.h from the patched tree's BTF (the running kernel's if that
# tree is not built: the programs use CO-RE flavours for the series' types).
# They are built once, from the 6.12 series tree whatever BASE is, and the
# same binaries run on every kernel of both bases (CO-RE); make test-all
# runs them on each.
BPF_OUT := build/bpf
BPF_TOOLS := $(basename $(basename $(notdir $(wildcard bpf/*.bpf.c))))
BPF_BASE := 6.12
BPF_UTREE := $(shell IOASID_BASE=$(BPF_BASE) STOCK=0 IOASID_DEBUG=0 testbed/kernel.sh tree)
$(if $(BPF_UTREE),,$(error cannot compute the $(BPF_BASE) kernel tree the BPF tools build from))
BPF_HDRSTAMP := $(BPF_UTREE)/.ioasid-headers
BPF_UAPI := -isystem $(BPF_UTREE)/usr/include
ifneq ($(BASE),$(BPF_BASE))
$(BPF_HDRSTAMP):
	@IOASID_BASE=$(BPF_BASE) STOCK=0 IOASID_DEBUG=0 testbed/kernel.sh headers
endif
# The tree's vmlinux once its build is complete (.ioasid-built): not one
# being linked or given its BTF ids while a kernel builds beside.
VMLINUX_BTF ?= $(if $(wildcard $(BPF_UTREE)/.ioasid-built),$(BPF_UTREE)/vmlinux,/sys/kernel/btf/vmlinux)
BPF_CFLAGS := -g -O2 -Wall -target bpf -D__TARGET_ARCH_x86
BPF_LIB_SRC := $(wildcard lib/*.c)
BPF_LIB_HDR := $(wildcard lib/*.h)
.SECONDARY: $(BPF_TOOLS:%=$(BPF_OUT)/%.bpf.o) $(BPF_TOOLS:%=$(BPF_OUT)/%.skel.h)

$(BPF_OUT)/vmlinux.h: $(VMLINUX_BTF) $(wildcard $(BPF_UTREE)/.ioasid-built)
	@mkdir -p $(@D)
	bpftool btf dump file $< format c >$@.tmp && mv $@.tmp $@

vmlinux-h:
	@rm -f $(BPF_OUT)/vmlinux.h
	@$(MAKE) --no-print-directory $(BPF_OUT)/vmlinux.h

$(BPF_OUT)/%.bpf.o: bpf/%.bpf.c bpf/%.h $(wildcard bpf/*.bpf.h) $(BPF_OUT)/vmlinux.h
	clang $(BPF_CFLAGS) -I$(BPF_OUT) -Ibpf -c $< -o $@
	llvm-strip -g $@

$(BPF_OUT)/%.skel.h: $(BPF_OUT)/%.bpf.o
	bpftool gen skeleton $< >$@.tmp && mv $@.tmp $@

# A tool too long for one file has companions bpf/<tool>-*.c (and their
# header, bpf/<tool>-*.h) linked with bpf/<tool>.c: its own parts stay
# beside it rather than in lib/, which every tool links.
$(BPF_TOOLS:%=$(BPF_OUT)/%): $(BPF_OUT)/%: bpf/%.c bpf/%.h $(BPF_OUT)/%.skel.h \
		$(BPF_LIB_SRC) $(BPF_LIB_HDR) $(BPF_HDRSTAMP)
	$(CC) $(CFLAGS) $(BPF_UAPI) -I$(BPF_OUT) -Ibpf -Ilib -o $@ $< $(wildcard bpf/$*-*.c) \
		$(BPF_LIB_SRC) -lbpf -lelf -lz $(LDLIBS)
$(foreach t,$(BPF_TOOLS),$(eval $(BPF_OUT)/$(t): $(wildcard bpf/$(t)-*.c bpf/$(t)-*.h)))

bpf: deps $(BPF_TOOLS:%=$(BPF_OUT)/%)

# The verifier test of the series' __nullable arguments (guest suite nullable).
$(B)/nullable.bpf.o: tracepoints/tests/nullable.bpf.c bpf/series.bpf.h $(BPF_OUT)/vmlinux.h
	@mkdir -p $(@D)
	clang $(BPF_CFLAGS) -I$(BPF_OUT) -Ibpf -c $< -o $@
$(B)/nullable.skel.h: $(B)/nullable.bpf.o
	bpftool gen skeleton $< >$@.tmp && mv $@.tmp $@
$(B)/nullable: tracepoints/tests/nullable.c $(B)/nullable.skel.h
	$(CC) $(CFLAGS) -I$(B) -o $@ $< -lbpf -lelf -lz

# bench/overhead's floor: empty tp_btf programs on maplat's events, started
# like the tools of bpf/ (lib/bpftool.h); no kernel types, so the uAPI
# headers instead of a vmlinux.h.
$(B)/emptytp.bpf.o: bench/emptytp/emptytp.bpf.c $(HDRSTAMP)
	@mkdir -p $(@D)
	clang $(BPF_CFLAGS) $(UAPI) -c $< -o $@
	llvm-strip -g $@
$(B)/emptytp.skel.h: $(B)/emptytp.bpf.o
	bpftool gen skeleton $< >$@.tmp && mv $@.tmp $@
$(B)/emptytp: bench/emptytp/emptytp.c $(B)/emptytp.skel.h $(BPF_LIB_SRC) $(BPF_LIB_HDR) $(HDRSTAMP)
	$(CC) $(CFLAGS) $(UAPI) -I$(B) -Ilib -o $@ $< $(BPF_LIB_SRC) -lbpf -lelf -lz $(LDLIBS)

# tools/<name>/: a tool of several files, <name>.bpf.c and the other *.c,
# built into build/tools/<name>/<name> the same way.
TOOLS := $(patsubst tools/%/,%,$(dir $(wildcard tools/*/*.bpf.c)))
define TOOL_RULES
$$(TOOLS_OUT)/$(1)/$(1).bpf.o: tools/$(1)/$(1).bpf.c $$(wildcard tools/$(1)/*.h bpf/*.h lib/*.h) \
		$$(BPF_OUT)/vmlinux.h
	@mkdir -p $$(@D)
	clang $$(BPF_CFLAGS) -I$$(BPF_OUT) -Ibpf -Ilib -Itools/$(1) -c $$< -o $$@
	llvm-strip -g $$@
$$(TOOLS_OUT)/$(1)/$(1).skel.h: $$(TOOLS_OUT)/$(1)/$(1).bpf.o
	bpftool gen skeleton $$< >$$@.tmp && mv $$@.tmp $$@
$$(TOOLS_OUT)/$(1)/$(1): $$(filter-out %.bpf.c,$$(wildcard tools/$(1)/*.c)) \
		$$(wildcard tools/$(1)/*.h) $$(TOOLS_OUT)/$(1)/$(1).skel.h \
		$$(BPF_LIB_SRC) $$(BPF_LIB_HDR) $$(BPF_HDRSTAMP)
	$$(CC) $$(CFLAGS) $$(BPF_UAPI) -I$$(TOOLS_OUT)/$(1) -Ibpf -Ilib -Itools/$(1) -o $$@ \
		$$(filter %.c,$$^) -lbpf -lelf -lz -lncurses $$(LDLIBS)
endef
TOOLS_OUT := build/tools
$(foreach t,$(TOOLS),$(eval $(call TOOL_RULES,$(t))))

tools: deps $(foreach t,$(TOOLS),$(TOOLS_OUT)/$(t)/$(t))

# make install: the five tools as make bpf tools builds them into
# $(DESTDIR)$(SBINDIR), their man pages (man/<tool>.8) into
# $(DESTDIR)$(MANDIR)/man8 and their pages (bpf/README.md, bpf/<tool>.md,
# tools/<tool>/README.md as <tool>.md) into $(DESTDIR)$(DOCDIR).  It builds
# a tool that is missing or stale, never a kernel, and needs no testbed.
# make uninstall removes those files.  make deb: the Debian package
# ioasid-trace-tools (debian/), built by dpkg-buildpackage -us -uc in a
# copy of the tracked files without results/ (build/deb/src/, so the tree is
# left as it was; CO-RE against this machine's /sys/kernel/btf/vmlinux, no kernel
# built), then lintian on source and binaries; the source package (.dsc,
# .tar.xz), the .debs (tools, -dbgsym), .changes and .buildinfo land in
# build/deb/.
.PHONY: install uninstall deb
PREFIX ?= /usr/local
DESTDIR ?=
SBINDIR ?= $(PREFIX)/sbin
MANDIR ?= $(PREFIX)/share/man
DOCDIR ?= $(PREFIX)/share/doc/ioasid-trace
INSTALL_BINS := $(BPF_TOOLS:%=$(BPF_OUT)/%) $(foreach t,$(TOOLS),$(TOOLS_OUT)/$(t)/$(t))
INSTALL_NAMES := $(notdir $(INSTALL_BINS))
INSTALL_MANS := $(INSTALL_NAMES:%=man/%.8)

install: $(INSTALL_BINS) $(INSTALL_MANS)
	install -d "$(DESTDIR)$(SBINDIR)" "$(DESTDIR)$(MANDIR)/man8" "$(DESTDIR)$(DOCDIR)"
	install -m 0755 $(INSTALL_BINS) "$(DESTDIR)$(SBINDIR)/"
	install -m 0644 $(INSTALL_MANS) "$(DESTDIR)$(MANDIR)/man8/"
	install -m 0644 bpf/README.md $(BPF_TOOLS:%=bpf/%.md) "$(DESTDIR)$(DOCDIR)/"
	$(foreach t,$(TOOLS),install -m 0644 tools/$(t)/README.md "$(DESTDIR)$(DOCDIR)/$(t).md";)

uninstall:
	rm -f $(foreach n,$(INSTALL_NAMES),"$(DESTDIR)$(SBINDIR)/$(n)" "$(DESTDIR)$(MANDIR)/man8/$(n).8")
	rm -f $(foreach n,README $(INSTALL_NAMES),"$(DESTDIR)$(DOCDIR)/$(n).md")
	@! [ -d "$(DESTDIR)$(DOCDIR)" ] || rmdir --ignore-fail-on-non-empty "$(DESTDIR)$(DOCDIR)"

DEB_OUT := build/deb
deb: deps
	rm -rf $(DEB_OUT)
	mkdir -p $(DEB_OUT)/src/ioasid-trace
	@# the tracked files (a git checkout) or the tree (an unpacked source package)
	if [ -d .git ]; then git ls-files -z | grep -zv '^results/' | tar -c --null -T - ; \
	else tar -c --exclude=./build --exclude=./results . ; fi | tar -x -C $(DEB_OUT)/src/ioasid-trace
	cd $(DEB_OUT)/src/ioasid-trace && dpkg-buildpackage -us -uc
	mv $(DEB_OUT)/src/*.deb $(DEB_OUT)/src/*.dsc $(DEB_OUT)/src/*.tar.* $(DEB_OUT)/src/*.changes \
		$(DEB_OUT)/src/*.buildinfo $(DEB_OUT)/
	rm -rf $(DEB_OUT)/src
	lintian --fail-on error,warning $(DEB_OUT)/*.changes
	@ls -l $(DEB_OUT)/*.deb

host-test:
	@tests/run --host-only

test:
	@tests/run

# The whole suite on each base (make test: one base fully, the other's
# series checked to apply and compile; with make report's tiny profile,
# tests/testbed/long/; the modules flavour is part of it), then the compat
# flavour of each; logs in build/test-<base>/ and build/test-compat-<base>/.
TEST_BASES ?= 6.12 mainline
test-all:
	@rc=0; for b in $(TEST_BASES); do \
		echo "=== make test-all: the $$b base"; \
		tests/run --long --base $$b --other none -o $(CURDIR)/build/test-$$b || rc=1; \
		echo "=== make test-all: the $$b base, compat flavour"; \
		$(MAKE) --no-print-directory test-compat BASE=$$b TC_OUT=$(CURDIR)/build/test-compat-$$b \
			>$(CURDIR)/build/test-compat-$$b.log 2>&1 || rc=1; \
		tail -1 $(CURDIR)/build/test-compat-$$b.log; \
	done; \
	for b in $(TEST_BASES); do \
		printf '%-9s %s\n' "$$b:" "$$(tail -1 build/test-$$b/summary.txt 2>/dev/null || echo 'no summary')"; \
		printf '%-9s %s\n' "$$b-compat:" "$$(tail -1 build/test-compat-$$b.log 2>/dev/null || echo 'no summary')"; \
	done; \
	exit $$rc

# The tools on the modules flavour alone (make test runs it too): each
# backend's module not loaded, then loaded (bpf/tests/alltools-modules.sh).
TM_OUT := $(CURDIR)/build/test-modules
test-modules: guest bpf tools
	@$(MAKE) --no-print-directory kernel MODULES=1
	@rm -rf $(TM_OUT)
	@testbed/run -k series-modules -n nvme --qemu-retries 1 -t $${TESTBED_TIMEOUT:-1800} -o $(TM_OUT) -- \
		testbed/guest-tests $(B) bpf/tests/alltools-modules.sh dmesg; \
		rc=$$?; tests/tap-summary $(TM_OUT)/tap/alltools-modules.tap $(TM_OUT)/tap/dmesg.tap && exit $$rc

# The compat flavour (its own kernel build, mostly ccache hits after the
# series kernel): no VFIO container or type1, iommufd serves /dev/vfio/vfio.
# With VT-d, the NVMe through iommufd and compat (type1's ioctls on
# iommufd: the catalog without type1's events, events_vfio, mapbench,
# the userspace NVMe driver, the VT-d
# suites of maplat, flushstat, attachsnoop and ioasid-top); without an
# IOMMU, the selftest
# mock and the upstream selftests, plain and with every event on, with
# every tool attached.  Each boot's kernel log is checked (dmesg).
TC_OUT ?= $(CURDIR)/build/test-compat
TC_VTD := catalog events_vfio bpf/tests/maplat-vtd.sh bpf/tests/flushstat-vtd.sh \
	bpf/tests/attachsnoop-vtd.sh tools/ioasid-top/tests/ioasid-top-vtd.sh \
	bench/tests/mapbench-vtd.sh bench/tests/nvme-vtd.sh dmesg
TC_MOCK := events_mock events_ioas events_pasid events_viommu events_dirty events_access events_type1_access iommufd \
	iommufd_fail_nth iommufd+events iommufd_fail_nth+events bpf/tests/alltools-mock.sh dmesg
tc_taps = $(foreach s,$(2),$(TC_OUT)/$(1)/tap/$(basename $(notdir $(s))).tap)
test-compat: guest bpf tools
	@$(MAKE) --no-print-directory kernel COMPAT=1
	@rm -rf $(TC_OUT)
	@rc=0; \
	run="testbed/run -k series-compat --qemu-retries 1 -t $${TESTBED_TIMEOUT:-1800}"; \
	$$run -o $(TC_OUT)/vtd -- testbed/guest-tests $(B) $(TC_VTD) || rc=1; \
	$$run -i none -o $(TC_OUT)/mock -- testbed/guest-tests $(B) $(TC_MOCK) || rc=1; \
	tests/tap-summary $(call tc_taps,vtd,$(TC_VTD)) $(call tc_taps,mock,$(TC_MOCK)) && exit $$rc

# BENCH_ARGS: bench/run options, e.g. BENCH_ARGS=-q for tiny configurations.
bench: kernel guest
	@bench/run $(BENCH_ARGS)

# The nightly report: every benchmark, the overhead study, results/<date>-<platform>/
# and a regression check.  REPORT_ARGS: bench/report/run options (-q: tiny);
# BASELINE=dir: the report to compare with (default results/baseline).
report: kernel guest bpf tools
	@$(MAKE) --no-print-directory kernel STOCK=1
	@$(MAKE) --no-print-directory fio-engine || echo "report: no fio engine, the fio suite is skipped"
	@bench/report/run $(if $(BASELINE),-B $(BASELINE)) $(REPORT_ARGS)

# The overhead study: stock vs the series (events off, on) vs each tool.
overhead: kernel guest bpf tools
	@$(MAKE) --no-print-directory kernel STOCK=1
	@bench/overhead -t $(OVERHEAD_ARGS)

# The soak: 2 boots of the debug kernel (VT-d, mock), SOAK_MINUTES in all,
# tools started and killed, events toggled, every path raced (testbed/soak).
SOAK_MINUTES ?= 30
SOAK_SEED ?=
soak: kernel guest bpf tools
	@$(MAKE) --no-print-directory fio-engine || echo "soak: no fio engine, fio is left out"
	@$(MAKE) --no-print-directory kernel DEBUG=1
	@testbed/soak -t $(SOAK_MINUTES) $(if $(SOAK_SEED),-s $(SOAK_SEED)) $(B)

demo: kernel guest bpf tools
	@$(MAKE) --no-print-directory fio-engine || echo "demo: no fio engine, its section is skipped"
	@testbed/run -- testbed/demo $(B)
	@testbed/run -i none -- testbed/demo --mock $(B)

CHECK_BASES ?= 6.12 mainline
check-patches: deps
	@rc=0; for b in $(CHECK_BASES); do testbed/check-patches -f -b $$b || rc=1; done; exit $$rc

compare-stock: deps guest
	@testbed/compare-stock $(B)

info:
	@$(KFLAVOUR) $(KERNEL_SH) info
	@echo "userspace: $(B)"

clean:
	rm -rf build

clean-cache: clean
	@echo "removing $${IOASID_CACHE:-$$HOME/.cache/ioasid-trace}"
	rm -rf "$${IOASID_CACHE:-$$HOME/.cache/ioasid-trace}"
