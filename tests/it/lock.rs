//! The release lock against the real control plane: exclusion, release, crash recovery by
//! expiry, renewal, racing take-overs and forced unlock.

use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail, ensure};
use jiff::Timestamp;
use k8s_openapi::api::coordination::v1::{Lease, LeaseSpec};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::MicroTime;
use kube::api::{ObjectMeta, PostParams};
use kube::{Api, Client};
use todoctl::cancel::{LockLost, StopReason, StopToken};
use todoctl::cluster::lock::{self, CLOCK_GRACE, LockGuard};
use todoctl::error::Failure;

use crate::harness;

/// The error of an acquire that must fail because the release is locked.
fn locked_message(result: Result<LockGuard>) -> Result<String> {
    match result {
        Ok(_) => bail!("the second acquire got the lock, it should have been refused"),
        Err(err) => match err.downcast_ref::<Failure>() {
            Some(Failure::Locked(msg)) => Ok(msg.clone()),
            _ => bail!("expected a locked failure, got: {err:#}"),
        },
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn second_acquire_is_refused_naming_the_holder() -> Result<()> {
    let Some(cluster) = harness::cluster() else {
        return Ok(());
    };
    let ns = cluster.namespace("lock").await?;
    let client = cluster.client().await;
    let ttl = Duration::from_secs(30);

    let guard = lock::acquire(&client, ns.name(), "todo-app", "upgrade", ttl).await?;
    ensure!(guard.took_over.is_none(), "a fresh lock took nothing over");
    ensure!(guard.identity().starts_with("upgrade by "));

    let msg = locked_message(lock::acquire(&client, ns.name(), "todo-app", "install", ttl).await)?;
    let expected_start = format!(
        "release `todo-app` in namespace `{}` is locked by `{}` since ",
        ns.name(),
        guard.identity()
    );
    ensure!(msg.starts_with(&expected_start), "message: {msg}");
    ensure!(msg.contains(" UTC (renewed "), "message: {msg}");
    ensure!(
        msg.contains("`todoctl unlock -r todo-app -n "),
        "message: {msg}"
    );

    let holder = lock::holder(&client, ns.name(), "todo-app")
        .await?
        .context("holder() found no lock while one is held")?;
    ensure!(holder.identity == guard.identity());
    ensure!(holder.ttl == ttl);
    ensure!(!holder.expired(Timestamp::now()));

    // Another release in the same namespace is not affected.
    let other = lock::acquire(&client, ns.name(), "other", "install", ttl).await?;
    other.release().await?;
    guard.release().await?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn release_lets_the_next_operation_in() -> Result<()> {
    let Some(cluster) = harness::cluster() else {
        return Ok(());
    };
    let ns = cluster.namespace("lock").await?;
    let client = cluster.client().await;
    let ttl = Duration::from_secs(30);

    let guard = lock::acquire(&client, ns.name(), "todo-app", "install", ttl).await?;
    guard.release().await?;
    ensure!(
        lock::holder(&client, ns.name(), "todo-app")
            .await?
            .is_none()
    );

    let next = lock::acquire(&client, ns.name(), "todo-app", "upgrade", ttl).await?;
    ensure!(
        next.took_over.is_none(),
        "a released lock leaves nothing to take over"
    );
    next.release().await?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn a_crashed_holder_expires_and_is_taken_over() -> Result<()> {
    let Some(cluster) = harness::cluster() else {
        return Ok(());
    };
    let ns = cluster.namespace("lock").await?;
    let client = cluster.client().await;
    let ttl = Duration::from_secs(2);

    let crashed = lock::acquire(&client, ns.name(), "todo-app", "upgrade", ttl).await?;
    let crashed_identity = crashed.identity().to_string();
    let start = Instant::now();
    drop(crashed);

    locked_message(lock::acquire(&client, ns.name(), "todo-app", "rollback", ttl).await)?;

    // Expiry is ttl plus the clock-skew grace after the last renewal; poll until then and a
    // little longer, and make sure nobody got in early.
    let deadline = ttl + CLOCK_GRACE + Duration::from_secs(3);
    let guard = loop {
        match lock::acquire(&client, ns.name(), "todo-app", "rollback", ttl).await {
            Ok(guard) => break guard,
            Err(err) if err.downcast_ref::<Failure>().is_some() => {
                ensure!(
                    start.elapsed() < deadline,
                    "still locked after {deadline:?}"
                );
            }
            Err(err) => return Err(err),
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    };
    ensure!(
        start.elapsed() >= ttl,
        "taken over after {:?}, before the ttl ran out",
        start.elapsed()
    );
    let previous = guard
        .took_over
        .clone()
        .context("the take-over did not report the crashed holder")?;
    ensure!(previous.identity == crashed_identity);
    ensure!(previous.ttl == ttl);
    guard.release().await?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn renewal_keeps_a_short_lock_alive() -> Result<()> {
    let Some(cluster) = harness::cluster() else {
        return Ok(());
    };
    let ns = cluster.namespace("lock").await?;
    let client = cluster.client().await;
    let ttl = Duration::from_secs(2);

    let guard = lock::acquire(&client, ns.name(), "todo-app", "upgrade", ttl).await?;
    let start = Instant::now();
    let mut refused = 0;
    while start.elapsed() < Duration::from_secs(6) {
        locked_message(lock::acquire(&client, ns.name(), "todo-app", "upgrade", ttl).await)?;
        refused += 1;
        ensure!(!guard.is_lost(), "the lock was lost while renewing");
        guard.ensure_held()?;
        tokio::time::sleep(Duration::from_millis(400)).await;
    }
    ensure!(refused >= 10, "only {refused} competing acquires ran");
    let holder = lock::holder(&client, ns.name(), "todo-app")
        .await?
        .context("lock vanished")?;
    let renewed = holder.renewed.context("lease has no renewTime")?;
    ensure!(
        renewed > holder.acquired.context("lease has no acquireTime")?,
        "renewTime never moved"
    );
    guard.release().await?;
    Ok(())
}

/// A lease left behind by a process that died long ago.
async fn plant_expired_lease(client: &Client, namespace: &str, release: &str) -> Result<()> {
    let long_ago = Timestamp::now() - jiff::SignedDuration::from_hours(1);
    let lease = Lease {
        metadata: ObjectMeta {
            name: Some(lock::lease_name(release)),
            ..Default::default()
        },
        spec: Some(LeaseSpec {
            holder_identity: Some("upgrade by ghost@gone pid 1".to_string()),
            acquire_time: Some(MicroTime(long_ago)),
            renew_time: Some(MicroTime(long_ago)),
            lease_duration_seconds: Some(60),
            ..Default::default()
        }),
    };
    Api::<Lease>::namespaced(client.clone(), namespace)
        .create(&PostParams::default(), &lease)
        .await
        .context("planting an expired lease")?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn racing_take_overs_have_exactly_one_winner() -> Result<()> {
    let Some(cluster) = harness::cluster() else {
        return Ok(());
    };
    let ns = cluster.namespace("lock").await?;
    let client = cluster.client().await;
    let ttl = Duration::from_secs(30);

    for round in 0..10 {
        let release = format!("race-{round}");
        plant_expired_lease(&client, ns.name(), &release).await?;
        let racers: Vec<_> = (0..2)
            .map(|i| {
                let client = client.clone();
                let namespace = ns.name().to_string();
                let release = release.clone();
                tokio::spawn(async move {
                    lock::acquire(&client, &namespace, &release, &format!("racer-{i}"), ttl).await
                })
            })
            .collect();
        let mut winners = Vec::new();
        for racer in racers {
            match racer.await? {
                Ok(guard) => winners.push(guard),
                Err(err) => {
                    ensure!(
                        matches!(err.downcast_ref::<Failure>(), Some(Failure::Locked(_))),
                        "round {round}: the loser failed otherwise: {err:#}"
                    );
                }
            }
        }
        ensure!(
            winners.len() == 1,
            "round {round}: {} winners",
            winners.len()
        );
        for guard in winners {
            let previous = guard
                .took_over
                .clone()
                .context("winner took nothing over")?;
            ensure!(previous.identity == "upgrade by ghost@gone pid 1");
            guard.release().await?;
        }
    }
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn force_unlock_returns_the_holder_and_the_guard_notices() -> Result<()> {
    let Some(cluster) = harness::cluster() else {
        return Ok(());
    };
    let ns = cluster.namespace("lock").await?;
    let client = cluster.client().await;
    let ttl = Duration::from_secs(3);

    ensure!(
        lock::force_unlock(&client, ns.name(), "todo-app")
            .await?
            .is_none()
    );

    let guard = lock::acquire(&client, ns.name(), "todo-app", "install", ttl).await?;
    let holder = lock::force_unlock(&client, ns.name(), "todo-app")
        .await?
        .context("force_unlock found no holder")?;
    ensure!(holder.identity == guard.identity());
    ensure!(
        lock::holder(&client, ns.name(), "todo-app")
            .await?
            .is_none()
    );

    // The next renewal (every ttl/3) finds the lease gone.
    let err = tokio::time::timeout(ttl, guard.lost())
        .await
        .context("the guard did not notice the forced unlock within its ttl")?;
    ensure!(guard.is_lost());
    ensure!(err.downcast_ref::<LockLost>().is_some(), "{err:#}");
    ensure!(
        err.to_string()
            .contains("is no longer locked by this operation"),
        "{err}"
    );
    ensure!(guard.ensure_held().is_err());

    // Someone else locks it now; releasing the lost guard fails (a lost lock is not released
    // successfully), names the new holder, and leaves that lock alone.
    let next = lock::acquire(&client, ns.name(), "todo-app", "upgrade", ttl).await?;
    let err = guard
        .release()
        .await
        .expect_err("releasing a lost lock is not a success");
    ensure!(err.downcast_ref::<LockLost>().is_some(), "{err:#}");
    ensure!(
        err.to_string()
            .contains(&format!("the lock is now held by `{}`", next.identity())),
        "{err}"
    );
    let current = lock::holder(&client, ns.name(), "todo-app")
        .await?
        .context("the lost guard's release removed someone else's lock")?;
    ensure!(current.identity == next.identity());
    next.release().await?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn renewal_survives_edits_but_notices_a_new_holder() -> Result<()> {
    let Some(cluster) = harness::cluster() else {
        return Ok(());
    };
    let ns = cluster.namespace("lock").await?;
    let client = cluster.client().await;
    let ttl = Duration::from_secs(3);
    let api = Api::<Lease>::namespaced(client.clone(), ns.name());
    let name = lock::lease_name("todo-app");

    let guard = lock::acquire(&client, ns.name(), "todo-app", "upgrade", ttl).await?;

    // Someone annotates the lease: the holder is unchanged, so the lock is still ours.
    let mut edited = api.get(&name).await?;
    edited
        .metadata
        .annotations
        .get_or_insert_default()
        .insert("note".to_string(), "looked at it".to_string());
    api.replace(&name, &PostParams::default(), &edited).await?;
    tokio::time::sleep(ttl).await;
    guard.ensure_held()?;

    // Another process writes itself in as the holder: the next renewal must notice.
    let mut stolen = api.get(&name).await?;
    let spec = stolen.spec.get_or_insert_default();
    spec.holder_identity = Some("upgrade by mallory@elsewhere pid 7".to_string());
    spec.acquire_time = Some(MicroTime(Timestamp::now()));
    api.replace(&name, &PostParams::default(), &stolen).await?;
    let err = tokio::time::timeout(ttl, guard.lost())
        .await
        .context("the guard did not notice the new holder within its ttl")?;
    ensure!(
        err.to_string()
            .contains("`upgrade by mallory@elsewhere pid 7`"),
        "{err}"
    );

    // Releasing the lost guard fails, and leaves the new holder's lease in place.
    ensure!(guard.release().await.is_err());
    let current = lock::holder(&client, ns.name(), "todo-app")
        .await?
        .context("the lost guard's release removed the new holder's lease")?;
    ensure!(current.identity == "upgrade by mallory@elsewhere pid 7");
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn a_lost_lock_fires_the_operations_stop_token() -> Result<()> {
    let Some(cluster) = harness::cluster() else {
        return Ok(());
    };
    let ns = cluster.namespace("lock").await?;
    let client = cluster.client().await;
    let ttl = Duration::from_secs(3);
    let stop = StopToken::new();
    let guard = lock::acquire_with(&client, ns.name(), "todo-app", "upgrade", ttl, &stop).await?;
    stop.check()?;
    lock::force_unlock(&client, ns.name(), "todo-app").await?;
    let err = tokio::time::timeout(ttl, stop.stopped())
        .await
        .context("the stop token did not fire within the lock's ttl")?;
    ensure!(err.downcast_ref::<LockLost>().is_some(), "{err:#}");
    ensure!(
        matches!(stop.reason(), Some(StopReason::LockLost(m)) if m.contains("was deleted")),
        "{:?}",
        stop.reason()
    );
    ensure!(guard.ensure_held().is_err());
    ensure!(guard.release().await.is_err());
    Ok(())
}
