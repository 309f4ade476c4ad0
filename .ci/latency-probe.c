/*
 * latency-probe: plays a USB scanner into an X display and times each
 * verdict. For each code read from stdin (one per line) it types the code
 * with XTest, DELAY_MS apart, presses Return, and polls one pixel of the
 * screen until it has the colour expected for that code (the second field
 * of the line: an RGB hex such as 15803D), then prints the milliseconds
 * from the Return to that colour. With no colour on a line it only waits
 * WAIT_MS after the Return (a load run).
 *
 *   latency-probe X Y DELAY_MS WAIT_MS < codes
 *
 * Built by .ci/latency with gcc against libX11 and the XTest library
 * (libxtst6; its prototype is declared below, so no -dev package is needed).
 */
#include <X11/Xlib.h>
#include <X11/Xutil.h>
#include <X11/keysym.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

int XTestFakeKeyEvent(Display *, unsigned int, Bool, unsigned long);

static double now_ms(void) {
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

static void key(Display *d, KeySym s) {
	KeyCode k = XKeysymToKeycode(d, s);
	XTestFakeKeyEvent(d, k, True, 0);
	XTestFakeKeyEvent(d, k, False, 0);
	XFlush(d);
}

static unsigned long pixel(Display *d, Window root, int x, int y) {
	XImage *im = XGetImage(d, root, x, y, 1, 1, AllPlanes, ZPixmap);
	unsigned long p = XGetPixel(im, 0, 0) & 0xFFFFFF;
	XDestroyImage(im);
	return p;
}

int main(int argc, char **argv) {
	if (argc != 5) {
		fprintf(stderr, "usage: latency-probe X Y DELAY_MS WAIT_MS < codes\n");
		return 2;
	}
	int x = atoi(argv[1]), y = atoi(argv[2]);
	int delay = atoi(argv[3]), wait = atoi(argv[4]);
	Display *d = XOpenDisplay(NULL);
	if (!d) {
		fprintf(stderr, "latency-probe: cannot open the display\n");
		return 1;
	}
	Window root = DefaultRootWindow(d);
	char line[256];
	while (fgets(line, sizeof line, stdin)) {
		char code[128] = "", colour[16] = "";
		if (sscanf(line, "%127s %15s", code, colour) < 1)
			continue;
		for (char *c = code; *c; c++) {
			key(d, (KeySym)(unsigned char)*c); /* digits and letters: keysym = ASCII */
			usleep(delay * 1000);
		}
		double t0 = now_ms();
		key(d, XK_Return);
		if (!colour[0]) {
			usleep(wait * 1000);
			continue;
		}
		unsigned long want = strtoul(colour, NULL, 16);
		double t;
		for (;;) {
			t = now_ms();
			if (pixel(d, root, x, y) == want)
				break;
			if (t - t0 > 5000) {
				printf("timeout %s\n", code);
				fflush(stdout);
				break;
			}
			usleep(200);
		}
		printf("%.1f\n", t - t0);
		fflush(stdout);
		usleep(wait * 1000);
	}
	XCloseDisplay(d);
	return 0;
}
