/*
 * stream_file.c: streams a file up to OSS through a read callback and back down through a
 * write callback, as a requester on a requester-pays bucket, and checks the copy.
 *
 *   cc -std=c11 -Wall -Wextra -Werror -pedantic examples/stream_file.c -Iinclude \
 *      -Ltarget/release -lossc -o stream_file
 *   stream_file FILE [KEY]
 *
 * Settings from the environment: OSS_ENDPOINT, OSS_REGION, OSS_BUCKET, OSS_ACCESS_KEY_ID,
 * OSS_ACCESS_KEY_SECRET, OSS_SESSION_TOKEN (optional). The file is read and written in
 * 256 KiB pieces: memory use does not grow with its size.
 */
#include <ossc.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Read callback: fills buf from a FILE*. */
static int64_t read_from_file(void *userdata, uint8_t *buf, size_t len) {
    FILE *f = userdata;
    size_t n = fread(buf, 1, len, f);
    if (n == 0 && ferror(f)) {
        return -1; /* aborts the upload */
    }
    return (int64_t)n;
}

/* Write callback: appends to a FILE*. */
static int32_t write_to_file(void *userdata, const uint8_t *buf, size_t len) {
    return fwrite(buf, 1, len, (FILE *)userdata) == len ? 0 : 1;
}

static int fail(const char *what, oss_error *err) {
    fprintf(stderr, "stream_file: %s: %s\n", what, oss_error_description(err));
    oss_error_free(err);
    return 1;
}

static int same_files(const char *a, const char *b) {
    FILE *fa = fopen(a, "rb");
    FILE *fb = fopen(b, "rb");
    int same = fa != NULL && fb != NULL;
    while (same) {
        int ca = fgetc(fa), cb = fgetc(fb);
        same = ca == cb;
        if (ca == EOF || cb == EOF) {
            break;
        }
    }
    if (fa) fclose(fa);
    if (fb) fclose(fb);
    return same;
}

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: stream_file FILE [KEY]\n");
        return 2;
    }
    const char *path = argv[1];
    const char *key = argc > 2 ? argv[2] : "stream-demo/file.bin";
    if (getenv("OSS_BUCKET") == NULL) {
        fprintf(stderr, "stream_file: OSS_BUCKET must be set\n");
        return 2;
    }
    oss_bucket *b = NULL;
    oss_error *err = oss_bucket_new_from_env(getenv("OSS_BUCKET"), &b);
    if (err != NULL) {
        return fail("opening the bucket", err);
    }

    FILE *in = fopen(path, "rb");
    if (in == NULL) {
        perror(path);
        return 1;
    }
    /* Length unknown to the library: it is sent chunked and checked by CRC-64. */
    oss_object_info *info = NULL;
    err = oss_put_object_from_callback(b, key, read_from_file, in, -1, OSS_PAYER_REQUESTER, NULL, &info);
    fclose(in);
    if (err != NULL) {
        return fail("upload", err);
    }
    printf("uploaded %s to %s (CRC-64 %llu verified, charged to requester: %s)\n", path, key,
           (unsigned long long)info->crc64, info->request_charged ? "yes" : "no");
    oss_object_info_free(info);

    char copy[4096];
    snprintf(copy, sizeof copy, "%s.copy", path);
    FILE *out = fopen(copy, "wb");
    if (out == NULL) {
        perror(copy);
        return 1;
    }
    err = oss_get_object_to_callback(b, key, write_to_file, out, OSS_PAYER_REQUESTER, NULL, &info);
    fclose(out);
    if (err != NULL) {
        remove(copy); /* the data passed to the callback is not trustworthy */
        return fail("download", err);
    }
    printf("downloaded %llu bytes to %s\n", (unsigned long long)info->size, copy);
    oss_object_info_free(info);

    int same = same_files(path, copy);
    printf("%s\n", same ? "the copy is identical" : "THE COPY DIFFERS");
    if ((err = oss_delete_object(b, key, OSS_PAYER_REQUESTER)) != NULL) {
        return fail("delete", err);
    }
    remove(copy);
    oss_bucket_free(b);
    return same ? 0 : 1;
}
