# ackprof: SysOM pod diagnosis over the aliyun CLI.  See README.md.
PREFIX	?= /usr/local
BINDIR	?= $(PREFIX)/bin
MANDIR	?= $(PREFIX)/share/man
SHAREDIR ?= $(PREFIX)/share/ackprof
VERSION	 = 0.1.0

CC	?= cc
CFLAGS	?= -O2 -g
PKG_CONFIG ?= pkg-config
CJSON_CFLAGS := $(shell $(PKG_CONFIG) --cflags libcjson 2>/dev/null)
CJSON_LIBS   := $(shell $(PKG_CONFIG) --libs libcjson 2>/dev/null || echo -lcjson)
PCRE_CFLAGS  := $(shell $(PKG_CONFIG) --cflags libpcre2-8 2>/dev/null)
PCRE_LIBS    := $(shell $(PKG_CONFIG) --libs libpcre2-8 2>/dev/null || echo -lpcre2-8)
override CFLAGS := -std=c11 -D_GNU_SOURCE -Wall -Wextra $(CFLAGS) $(CJSON_CFLAGS) $(PCRE_CFLAGS) \
	-DVERSION=\"$(VERSION)\" -DSCRIPTSDIR=\"$(SHAREDIR)/scripts\"
LIBS	 = $(CJSON_LIBS) $(PCRE_LIBS) -lm

SRCS	 = src/aliyun.c src/lease.c src/msg.c src/redact.c src/report.c src/run.c \
	   src/target.c src/timewin.c src/util.c src/workflow.c
OBJS	 = $(SRCS:.c=.o)

all: ackprof tests/double/aliyun tests/double/venv/bin/python

ackprof: $(OBJS) src/main.o
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $(OBJS) src/main.o $(LIBS)

$(OBJS) src/main.o: src/*.h

-include tests/double/Makefile.inc
-include tests/unit/Makefile.inc

clean:
	rm -f ackprof src/*.o tests/double/aliyun tests/unit/*.o $(UNIT_BINS)
	rm -rf tests/double/venv

.PHONY: all clean
