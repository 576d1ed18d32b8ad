# ghostguard - one plain Makefile.
#
#   make             build build/ghostguard
#   make check       install test dependencies, build, run every test (also
#                    under ASan+UBSan, and each fuzz target briefly)
#   make demo        the lab in network namespaces (root): real scanners
#                    against a PBX and phones, without and with ghostguard
#                    inline; a table of both and a report (lab/demo.sh)
#   make demo-offline  analyze the bundled capture and print the report
#   make fuzz        run the libFuzzer targets (clang), FUZZ_SECONDS each
#   make bench       benchmarks, as ratios against baselines of the same run
#   make install     PREFIX=/usr/local DESTDIR= (make uninstall)
#   make SANITIZE=address,undefined   build with sanitizers
#
# Objects go to $(B) (build/ by default) so that differently configured builds
# live side by side: build/san for the sanitizers, build/fuzz for libFuzzer.
# _FILE_OFFSET_BITS=64: captures over 2 GiB on 32-bit systems (off_t, mmap).

CC	?= cc
B	?= build
PREFIX	?= /usr/local
DESTDIR	?=
FUZZ_SECONDS ?= 20

WARN	= -Wall -Wextra -Wshadow -Wpointer-arith -Wcast-qual \
	  -Wstrict-prototypes -Wmissing-prototypes -Wformat=2 -Wvla
CFLAGS	?= -O2 -g
CFLAGS	+= -std=c11 -D_GNU_SOURCE -D_FILE_OFFSET_BITS=64 -pthread $(WARN) -MMD -MP
ifeq ($(CI),true)
CFLAGS	+= -Werror
endif
ifneq ($(SANITIZE),)
CFLAGS	+= -fsanitize=$(SANITIZE) -fno-omit-frame-pointer -fno-sanitize-recover=all
LDFLAGS	+= -fsanitize=$(SANITIZE)
endif
LDLIBS	+= -lpcap -lm
# The daemon alone needs NFQUEUE, nftables, ipset, conntrack and libcap (the
# unit tests of the pure modules do not).
RUN_LIBS = -lnetfilter_queue -lnftables -lnftnl -lmnl -lipset \
	   -lnetfilter_conntrack -lcap

# Sources, by module (DESIGN.md "Layout").
LIB_SRCS	= src/lib/gg.c
SIP_SRCS	= src/sip/sip.c src/sip/uri.c src/sip/frame.c
NET_SRCS	= src/net/net.c src/net/frag.c src/net/tcp.c
CONF_SRCS	= src/conf/conf.c
ENGINE_SRCS	= src/engine/engine.c src/engine/sig.c src/engine/track.c \
		  src/engine/policy.c
IO_SRCS		= src/io/pcap.c src/io/report.c src/io/html.c
# The ban manager and its state file are pure C; the backends talk to the
# kernel.
BAN_SRCS	= src/ban/ban.c src/ban/ban_state.c
BAN_KERNEL_SRCS	= src/ban/ban_nft.c src/ban/ban_ipset.c src/ban/ban_ct.c
# The daemon's edges: control socket, metrics, event log, privilege.
OPS_SRCS	= src/io/ctl.c src/io/metrics.c src/io/events.c src/sandbox.c
RUN_SRCS	= src/run.c src/run_ops.c src/run_ctl.c src/io/nfq.c src/io/fw.c \
		  src/io/log.c \
		  $(BAN_SRCS) $(BAN_KERNEL_SRCS) $(OPS_SRCS)
MAIN_SRCS	= src/main.c src/analyze.c src/ctl_main.c $(RUN_SRCS)

CORE_SRCS	= $(LIB_SRCS) $(SIP_SRCS) $(NET_SRCS) $(CONF_SRCS) $(ENGINE_SRCS) \
		  $(B)/gen/sigdata.c
SRCS		= $(CORE_SRCS) $(IO_SRCS) $(MAIN_SRCS)
obj		= $(patsubst $(B)/%.c,$(B)/%.o,$(patsubst src/%.c,$(B)/src/%.o,$(patsubst tests/%.c,$(B)/tests/%.o,$(1))))

UNIT_TESTS	= sip net conf engine ban ops report
FUZZ_TARGETS	= sip net conf pcap state

all: $(B)/ghostguard

$(B)/ghostguard: $(call obj,$(SRCS))
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS) $(RUN_LIBS)

$(B)/src/%.o: src/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c -o $@ $<

$(B)/tests/%.o: tests/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c -o $@ $<

# The built-in signatures: data/signatures.conf compiled into the binary.
$(B)/gen/sigdata.c: data/signatures.conf scripts/embed.sh
	@mkdir -p $(dir $@)
	scripts/embed.sh sig_builtin $< > $@

$(B)/gen/%.o: $(B)/gen/%.c
	$(CC) $(CFLAGS) -c -o $@ $<

# Each unit test links its own module and what that module needs, not the
# daemon.
$(B)/tests/sip_test: $(call obj,tests/unit/sip_test.c $(LIB_SRCS) $(SIP_SRCS))
$(B)/tests/net_test: $(call obj,tests/unit/net_test.c $(LIB_SRCS) src/sip/frame.c $(NET_SRCS) src/io/pcap.c)
$(B)/tests/conf_test: $(call obj,tests/unit/conf_test.c $(LIB_SRCS) $(CONF_SRCS))
$(B)/tests/engine_test: $(call obj,tests/unit/engine_test.c $(CORE_SRCS))
$(B)/tests/ban_test: $(call obj,tests/unit/ban_test.c $(LIB_SRCS) $(BAN_SRCS))
$(B)/tests/report_test: $(call obj,tests/unit/report_test.c $(CORE_SRCS) src/io/report.c)
$(B)/tests/ops_test: $(call obj,tests/unit/ops_test.c $(LIB_SRCS) $(OPS_SRCS) src/io/log.c)
$(B)/tests/ops_test: LDLIBS += -lcap
# The kernel ban backends, driven in network namespaces by tests/ban/backend.sh.
$(B)/tests/backend_test: $(call obj,tests/ban/backend_test.c $(LIB_SRCS) $(BAN_KERNEL_SRCS) src/io/fw.c src/io/log.c)
$(B)/tests/backend_test: LDLIBS += $(RUN_LIBS)
$(B)/tests/%_test:
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS)

# bench/ban/restore.sh: a ban backend's replace() with a million bans.
$(B)/bench/restore_bench: bench/ban/restore_bench.c $(call obj,$(LIB_SRCS) $(BAN_KERNEL_SRCS) src/io/fw.c src/io/log.c)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS) $(RUN_LIBS)

# bench/ban/memory.sh: a state file of a million bans, written by the ban
# manager itself.
$(B)/bench/mkstate: $(call obj,bench/ban/mkstate.c $(LIB_SRCS) $(BAN_SRCS))
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS)

# Fuzz targets: with plain cc they are linked against a driver that replays
# files (tests/fuzz/replay.c), so every build can run the seed corpora; the
# libFuzzer build (fuzz-build) links libFuzzer's main instead.
FUZZ_MAIN	?= $(B)/tests/fuzz/replay.o
FUZZ_LDFLAGS	?=
$(B)/fuzz/sip_fuzz: $(call obj,tests/fuzz/sip_fuzz.c $(LIB_SRCS) $(SIP_SRCS))
$(B)/fuzz/net_fuzz: $(call obj,tests/fuzz/net_fuzz.c $(LIB_SRCS) src/sip/frame.c $(NET_SRCS))
$(B)/fuzz/conf_fuzz: $(call obj,tests/fuzz/conf_fuzz.c $(LIB_SRCS) $(SIP_SRCS) $(CONF_SRCS) src/engine/sig.c $(B)/gen/sigdata.c)
$(B)/fuzz/pcap_fuzz: $(call obj,tests/fuzz/pcap_fuzz.c $(CORE_SRCS) src/io/pcap.c src/io/report.c)
$(B)/fuzz/state_fuzz: $(call obj,tests/fuzz/state_fuzz.c $(LIB_SRCS) $(BAN_SRCS))
$(B)/fuzz/%_fuzz: $(FUZZ_MAIN)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LDFLAGS) $(FUZZ_LDFLAGS) -o $@ $^ $(LDLIBS)

tests: $(B)/ghostguard $(UNIT_TESTS:%=$(B)/tests/%_test) \
	$(B)/tests/backend_test $(FUZZ_TARGETS:%=$(B)/fuzz/%_fuzz)

# The whole suite: the normal build, the same tests under ASan+UBSan, and each
# libFuzzer target for a bounded time. CI runs exactly this. The parser's
# unit test also runs built without AVX2 and without any SIMD: the fast paths
# choose by CPU at run time, and the machine running the suite has only one.
check: deps
	$(MAKE) tests
	$(MAKE) tests B=build/san SANITIZE=address,undefined
	$(MAKE) build/noavx2/tests/sip_test B=build/noavx2 \
	    CC="$(CC) -DGG_NO_AVX2"
	$(MAKE) build/nosimd/tests/sip_test B=build/nosimd \
	    CC="$(CC) -DGG_NO_SIMD"
	$(MAKE) fuzz-build
	tests/list.sh build build/san > build/tests.list
	tests/run.sh -f build/tests.list

deps:
	scripts/deps.sh test

# `ghostguard run` in network namespaces (root; skips otherwise).
inline-smoke: $(B)/ghostguard
	tests/inline/run_smoke.sh $(B)/ghostguard

fuzz-build:
	$(MAKE) $(FUZZ_TARGETS:%=build/fuzz/fuzz/%_fuzz) B=build/fuzz CC=clang \
	    SANITIZE=fuzzer-no-link,address,undefined \
	    FUZZ_MAIN= FUZZ_LDFLAGS=-fsanitize=fuzzer

fuzz: fuzz-build
	for t in $(FUZZ_TARGETS); do \
	    tests/fuzz/run.sh build/fuzz/fuzz/$${t}_fuzz $$t $(FUZZ_SECONDS) || exit 1; \
	done

demo:
	scripts/deps.sh lab
	$(MAKE) all
	lab/demo.sh $(B)/ghostguard

# No root, no lab: the report of a capture bundled with the sources.
demo-offline:
	scripts/deps.sh run
	$(MAKE) all
	$(B)/ghostguard analyze -c etc/ghostguard.conf tests/captures/mixed.pcap

bench:
	scripts/deps.sh bench
	$(MAKE) all
	bench/run.sh

# Where Debian expects things (PREFIX=/usr for a system install). The
# configuration goes to /etc whatever the prefix, and only when there is none:
# an admin's file is never overwritten; the examples go to the doc directory.
SBINDIR		?= $(PREFIX)/sbin
DATADIR		?= $(PREFIX)/share/ghostguard
DOCDIR		?= $(PREFIX)/share/doc/ghostguard
MANDIR		?= $(PREFIX)/share/man
SYSCONFDIR	?= /etc
UNITDIR		?= $(PREFIX)/lib/systemd/system
SYSUSERSDIR	?= $(PREFIX)/lib/sysusers.d
EXAMPLES	= etc/ghostguard.conf etc/examples/pbx-host.conf \
		  etc/examples/router.conf etc/examples/provider-edge.conf

install: all
	install -d $(DESTDIR)$(SBINDIR) $(DESTDIR)$(DATADIR) \
	    $(DESTDIR)$(DOCDIR)/examples $(DESTDIR)$(MANDIR)/man8 \
	    $(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(UNITDIR) \
	    $(DESTDIR)$(SYSUSERSDIR) $(DESTDIR)$(SYSCONFDIR)/ghostguard
	install -m 755 $(B)/ghostguard $(DESTDIR)$(SBINDIR)/ghostguard
	install -m 644 data/signatures.conf $(DESTDIR)$(DATADIR)/
	install -m 644 $(EXAMPLES) $(DESTDIR)$(DOCDIR)/examples/
	install -m 644 README.md $(DESTDIR)$(DOCDIR)/
	install -m 644 man/ghostguard.8 $(DESTDIR)$(MANDIR)/man8/
	install -m 644 man/ghostguard.conf.5 $(DESTDIR)$(MANDIR)/man5/
	sed -e 's|^ExecStart=[^ ]*/ghostguard |ExecStart=$(SBINDIR)/ghostguard |' \
	    -e '/^ExecStart=/s|/etc/ghostguard/|$(SYSCONFDIR)/ghostguard/|' \
	    etc/ghostguard.service > $(DESTDIR)$(UNITDIR)/ghostguard.service
	chmod 644 $(DESTDIR)$(UNITDIR)/ghostguard.service
	install -m 644 etc/ghostguard.sysusers \
	    $(DESTDIR)$(SYSUSERSDIR)/ghostguard.conf
	@# The daemon starts as user ghostguard: the file must be readable.
	@if [ -e $(DESTDIR)$(SYSCONFDIR)/ghostguard/ghostguard.conf ]; then \
	    echo "kept $(DESTDIR)$(SYSCONFDIR)/ghostguard/ghostguard.conf" \
		"(the new example is in $(DOCDIR)/examples/)"; \
	else \
	    echo install -m 644 etc/ghostguard.conf \
		$(DESTDIR)$(SYSCONFDIR)/ghostguard/ghostguard.conf; \
	    install -m 644 etc/ghostguard.conf \
		$(DESTDIR)$(SYSCONFDIR)/ghostguard/ghostguard.conf; \
	fi
	@[ -n "$(DESTDIR)" ] || echo "next: systemd-sysusers;" \
	    "systemctl daemon-reload; edit" \
	    "$(SYSCONFDIR)/ghostguard/ghostguard.conf;" \
	    "systemctl enable --now ghostguard"

# Removes what install put, but the configuration only when it is still the
# example, unchanged; the state (/var/lib/ghostguard) and logs stay.
uninstall:
	rm -f $(DESTDIR)$(SBINDIR)/ghostguard \
	    $(DESTDIR)$(DATADIR)/signatures.conf \
	    $(addprefix $(DESTDIR)$(DOCDIR)/examples/,$(notdir $(EXAMPLES))) \
	    $(DESTDIR)$(DOCDIR)/README.md \
	    $(DESTDIR)$(MANDIR)/man8/ghostguard.8 \
	    $(DESTDIR)$(MANDIR)/man8/ghostguard.8.gz \
	    $(DESTDIR)$(MANDIR)/man5/ghostguard.conf.5 \
	    $(DESTDIR)$(MANDIR)/man5/ghostguard.conf.5.gz \
	    $(DESTDIR)$(UNITDIR)/ghostguard.service \
	    $(DESTDIR)$(SYSUSERSDIR)/ghostguard.conf
	@c=$(DESTDIR)$(SYSCONFDIR)/ghostguard/ghostguard.conf; \
	if cmp -s etc/ghostguard.conf $$c; then \
	    echo rm -f $$c; rm -f $$c; \
	elif [ -e $$c ]; then \
	    echo "kept $$c (changed from the example)"; \
	fi
	@# Directories only when empty (an admin's file keeps its own).
	rmdir $(DESTDIR)$(DATADIR) $(DESTDIR)$(DOCDIR)/examples \
	    $(DESTDIR)$(DOCDIR) $(DESTDIR)$(SYSCONFDIR)/ghostguard \
	    2>/dev/null || true

.PHONY: install uninstall

clean:
	rm -rf build

.PHONY: all check deps tests fuzz fuzz-build demo demo-offline bench install \
	clean inline-smoke
# Keep every object, also those make considers intermediate.
.SECONDARY:

-include $(shell find $(B) -name '*.d' 2>/dev/null)
