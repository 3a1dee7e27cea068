//! Deterministic DataLoader batching for one request.
//!
//! async-graphql's DataLoader starts a fetch after a fixed delay and takes whatever keys have
//! been queued by then. Under load the request's task can be descheduled, or can yield in the
//! middle of a level (a `FuturesUnordered` yields once two of its futures have woken
//! themselves), and the delay then cuts one level's keys into two batches. Batching then depends
//! on timing.
//!
//! Here the loader's fetches are not spawned on the runtime. They are queued, and the request's
//! own future drives them, only when the query itself has nothing left to do: it returned
//! `Pending` without waking itself. At that point every resolver of the level has queued its
//! key, so each key type of a level is one statement, whatever the load on the machine. The
//! loader's delay is zero; the wait is "until the level is queued", not a guess in
//! microseconds.

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Wake, Waker};

use futures_util::future::BoxFuture;
use futures_util::stream::{FuturesUnordered, StreamExt};

/// The fetches queued by a request's DataLoader, waiting for the request to go idle.
#[derive(Clone, Default)]
pub struct Batches {
    queued: Arc<Mutex<Vec<BoxFuture<'static, ()>>>>,
}

impl Batches {
    /// The spawner to give `DataLoader::new`: it queues instead of spawning.
    pub fn spawner(&self) -> impl Fn(BoxFuture<'static, ()>) + Send + Sync + 'static {
        let queued = self.queued.clone();
        move |fetch| queued.lock().expect("batch queue poisoned").push(fetch)
    }

    /// Drops the fetches queued and not yet started: a request that runs again (a query that
    /// failed on the lean schema, `schema::execution`) does not do the loads its first run
    /// asked for and no longer waits on.
    pub fn discard_queued(&self) {
        self.queued.lock().expect("batch queue poisoned").clear();
    }

    /// Runs `request` to completion, driving the queued fetches whenever it is idle.
    pub fn drive<F: Future>(self, request: F) -> Driven<F> {
        Driven {
            request: Box::pin(request),
            batches: self,
            running: FuturesUnordered::new(),
            woken: Arc::new(AtomicBool::new(false)),
        }
    }
}

/// The future returned by `Batches::drive`.
pub struct Driven<F: Future> {
    request: Pin<Box<F>>,
    batches: Batches,
    running: FuturesUnordered<BoxFuture<'static, ()>>,
    /// Set whenever something the request waits on wakes it (or it wakes itself).
    woken: Arc<AtomicBool>,
}

/// A waker that records the wake-up before passing it on to the task's own waker.
struct Flagging {
    woken: Arc<AtomicBool>,
    task: Waker,
}

impl Wake for Flagging {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        self.woken.store(true, Ordering::SeqCst);
        self.task.wake_by_ref();
    }
}

impl<F: Future> Future for Driven<F> {
    type Output = F::Output;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        let this = self.get_mut();
        let waker = Waker::from(Arc::new(Flagging {
            woken: this.woken.clone(),
            task: cx.waker().clone(),
        }));
        loop {
            this.woken.store(false, Ordering::SeqCst);
            if let Poll::Ready(output) =
                this.request.as_mut().poll(&mut Context::from_waker(&waker))
            {
                return Poll::Ready(output);
            }
            if this.woken.load(Ordering::SeqCst) {
                // The request has more to do right now; let it finish queueing its level.
                continue;
            }
            // The request is idle: start what it queued and let the fetches make progress.
            let queued: Vec<_> =
                std::mem::take(&mut *this.batches.queued.lock().expect("batch queue poisoned"));
            this.running.extend(queued);
            while let Poll::Ready(Some(())) = this.running.poll_next_unpin(cx) {}
            if this.woken.load(Ordering::SeqCst) {
                // A fetch finished and woke the resolvers waiting on it.
                continue;
            }
            return Poll::Pending;
        }
    }
}
