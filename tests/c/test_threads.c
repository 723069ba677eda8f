/*
 * One oss_bucket handle shared by 8 threads doing puts, heads and gets concurrently as a
 * requester on a requester-pays bucket. Every byte must come back intact.
 */
#include "check.h"

#include <pthread.h>

#define THREADS 8
#define ROUNDS 25

static oss_bucket *shared_handle;
static int thread_failures[THREADS];

static void *worker(void *arg) {
    int id = (int)(intptr_t)arg;
    uint8_t data[4096 + THREADS];
    char key[64];
    for (int round = 0; round < ROUNDS; round++) {
        size_t n = 1000 + (size_t)((id * 37 + round * 101) % 3000);
        for (size_t i = 0; i < n; i++) {
            data[i] = (uint8_t)(i * (size_t)(id + 1) + (size_t)round);
        }
        snprintf(key, sizeof key, "thread-%d/object-%d", id, round % 5);
        oss_error *e = oss_put_object(shared_handle, key, data, n, OSS_PAYER_REQUESTER, NULL, NULL);
        if (e != NULL) {
            fprintf(stderr, "thread %d put: %s\n", id, oss_error_description(e));
            oss_error_free(e);
            thread_failures[id]++;
            continue;
        }
        oss_object_info *info = NULL;
        e = oss_head_object(shared_handle, key, OSS_PAYER_REQUESTER, &info);
        if (e != NULL || info->size != n) {
            fprintf(stderr, "thread %d head: %s\n", id, e ? oss_error_description(e) : "wrong size");
            thread_failures[id]++;
        }
        oss_error_free(e);
        oss_object_info_free(info);
        uint8_t *got = NULL;
        size_t len = 0;
        e = oss_get_object(shared_handle, key, OSS_PAYER_REQUESTER, NULL, &got, &len, NULL);
        if (e != NULL || len != n || memcmp(got, data, n) != 0) {
            fprintf(stderr, "thread %d get: %s\n", id, e ? oss_error_description(e) : "wrong bytes");
            thread_failures[id]++;
        }
        oss_error_free(e);
        oss_bytes_free(got, len);
    }
    return NULL;
}

/* An oss_error or oss_object_info made on one thread may be read and freed on another. */
struct handoff {
    oss_error *err;
    oss_object_info *info;
    int ok;
};

static void *reader(void *arg) {
    struct handoff *h = arg;
    h->ok = oss_error_http_status(h->err) == 404 && strcmp(oss_error_code(h->err), "NoSuchKey") == 0 &&
            strlen(oss_error_request_id(h->err)) == 24 && h->info->size == 5 && h->info->request_charged;
    oss_error_free(h->err);
    oss_object_info_free(h->info);
    return NULL;
}

static void test_handoff(void) {
    struct handoff h = {NULL, NULL, 0};
    OK(oss_put_object(shared_handle, "handoff", (const uint8_t *)"12345", 5, OSS_PAYER_REQUESTER, NULL, NULL));
    OK(oss_head_object(shared_handle, "handoff", OSS_PAYER_REQUESTER, &h.info));
    h.err = oss_head_object(shared_handle, "no-such-key", OSS_PAYER_REQUESTER, &h.info);
    CHECK(h.err != NULL);
    pthread_t t;
    CHECK(pthread_create(&t, NULL, reader, &h) == 0);
    CHECK(pthread_join(t, NULL) == 0);
    CHECK(h.ok);
    OK(oss_delete_object(shared_handle, "handoff", OSS_PAYER_DEFAULT));
}

int main(void) {
    oss_bucket *owner = test_bucket("c-threads", "demo-owner-ak", "demo-owner-sk", NULL, OSS_SIGNATURE_V4,
                                    OSS_PAYER_BUCKET_OWNER);
    OK(oss_create_bucket(owner, OSS_ACL_DEFAULT));
    OK(oss_put_bucket_policy(owner, "{\"Version\":\"1\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":"
                                    "[\"1000000000000002\"],\"Action\":[\"oss:*\"],\"Resource\":[\"acs:oss:*:*:c-threads/*\"]}]}"));
    OK(oss_set_request_payment(owner, OSS_PAYER_REQUESTER));
    shared_handle = test_bucket("c-threads", "demo-requester-ak", "demo-requester-sk", NULL, OSS_SIGNATURE_V4,
                                OSS_PAYER_REQUESTER);
    pthread_t threads[THREADS];
    for (int i = 0; i < THREADS; i++) {
        CHECK(pthread_create(&threads[i], NULL, worker, (void *)(intptr_t)i) == 0);
    }
    for (int i = 0; i < THREADS; i++) {
        CHECK(pthread_join(threads[i], NULL) == 0);
        CHECK(thread_failures[i] == 0);
    }
    test_handoff();
    /* Clean up: every object, then the bucket. */
    char key[64];
    for (int id = 0; id < THREADS; id++) {
        for (int k = 0; k < 5; k++) {
            snprintf(key, sizeof key, "thread-%d/object-%d", id, k);
            OK(oss_delete_object(shared_handle, key, OSS_PAYER_DEFAULT));
        }
    }
    oss_bucket_free(shared_handle);
    OK(oss_delete_bucket(owner));
    oss_bucket_free(owner);
    return checks_report("test_threads");
}
