<?php
/*
 * forumcrawl test seeder for a freshly installed Discuz! X (run with php-cli from
 * the site root). Reads a JSON spec (users, settings, threads) on stdin, posts every
 * thread and reply through Discuz's own posting model (C::m('forum_thread') /
 * C::m('forum_post')), rebuilds the caches, and prints the ground truth read back
 * from the engine's own posts table as JSON on stdout.
 */
error_reporting(E_ERROR | E_PARSE);
$_SERVER['HTTP_HOST'] = $_SERVER['HTTP_HOST'] ?? '127.0.0.1';
$_SERVER['REQUEST_URI'] = '/forum.php';
$_SERVER['SCRIPT_NAME'] = $_SERVER['PHP_SELF'] = '/forum.php';
$_SERVER['REMOTE_ADDR'] = '127.0.0.1';
$_SERVER['HTTP_USER_AGENT'] = 'forumcrawl-seed';
define('CURSCRIPT', 'forum');
define('APPTYPEID', 2);
chdir($argv[1]);
require './source/class/class_core.php';
$spec = json_decode(file_get_contents('php://stdin'), true);  // UTF-8, as JSON is
$app = C::app();
$app->init_cron = false;
$app->init_session = false;
$app->init_mobile = false;
$app->init();
require_once libfile('function/cache');
require_once libfile('function/forum');
require_once libfile('function/post');
require_once libfile('function/member');

// A GBK (or Big5) build stores and shows text in its own charset: the spec is converted to it,
// the truth back to UTF-8.
function fc_charset($value, $from, $to) {
    if (is_array($value)) {
        foreach ($value as $k => $v) { $value[$k] = fc_charset($v, $from, $to); }
        return $value;
    }
    return is_string($value) ? mb_convert_encoding($value, $to, $from) : $value;
}
if (strtolower(CHARSET) != 'utf-8') {
    $spec = fc_charset($spec, 'UTF-8', CHARSET);
}

foreach ($spec['settings'] as $k => $v) {
    C::t('common_setting')->update($k, $v);
}
updatecache();

function fc_seed_message($msg) {
    if (!in_array($msg, array('post_newthread_succeed', 'post_reply_succeed'))) {
        fwrite(STDERR, "discuz refused a post: $msg\n");
        exit(2);
    }
    return $msg;
}

function fc_login($uid) {
    global $_G;
    $member = getuserbyuid($uid, 1);
    $_G['uid'] = $member['uid'];
    $_G['username'] = $member['username'];
    $_G['adminid'] = $member['adminid'];
    $_G['groupid'] = $member['groupid'];
    $_G['member'] = $member;
    loadcache('usergroup_' . $member['groupid']);
    $_G['group'] = $_G['cache']['usergroup_' . $member['groupid']];
    $_G['setting']['floodctrl'] = 0;
    $_G['setting']['updatestat'] = 0;
    $_G['group']['maxpostsperhour'] = $_G['group']['maxthreadsperhour'] = 0;
}

$uids = array();
foreach ($spec['users'] as $i => $name) {
    $email = 'user' . $i . '@example.org';
    if ($name === 'admin') { $uids[$name] = 1; continue; }
    $uid = uc_user_register($name, 'fc-seed-pw-' . $i, $email);
    if ($uid <= 0) { fwrite(STDERR, "uc_user_register($name) = $uid\n"); exit(2); }
    C::t('common_member')->insert($uid, $name, md5(random(10)), $email, '127.0.0.1', 1, array('adminid' => 1));
    $uids[$name] = $uid;
}

$tids = array();
foreach ($spec['threads'] as $t) {
    $first = $t['posts'][0];
    fc_login($uids[$first['author']]);
    $_G['timestamp'] = $first['time'];
    $model = new model_forum_thread($t['fid']);
    $model->showmessage = 'fc_seed_message';
    $model->newthread(array('subject' => $t['title'], 'message' => $first['text'], 'publishdate' => $first['time'],
                            'clientip' => '127.0.0.1', 'usesig' => 0));
    $tid = $model->tid;
    $tids[] = $tid;
    foreach (array_slice($t['posts'], 1) as $p) {
        fc_login($uids[$p['author']]);
        $_G['timestamp'] = $p['time'];
        $reply = new model_forum_post($tid);
        $reply->showmessage = 'fc_seed_message';
        $reply->newreply(array('subject' => '', 'message' => $p['text'], 'clientip' => '127.0.0.1', 'usesig' => 0));
        DB::query('UPDATE %t SET dateline=%d WHERE pid=%d', array('forum_post', $p['time'], $reply->pid));
    }
}
updatecache();

$out = array('threads' => array());
foreach ($tids as $tid) {
    $thread = C::t('forum_thread')->fetch($tid);
    $posts = DB::fetch_all('SELECT pid, author, message, dateline, position, first FROM %t WHERE tid=%d AND invisible=0 ORDER BY position',
                           array('forum_post', $tid));
    $out['threads'][] = array('tid' => (int)$tid, 'fid' => (int)$thread['fid'], 'title' => $thread['subject'], 'posts' => $posts);
}
if (strtolower(CHARSET) != 'utf-8') {
    $out = fc_charset($out, CHARSET, 'UTF-8');
}
echo json_encode($out, JSON_UNESCAPED_UNICODE), "\n";
