<?php
/**
 * Seeds a freshly installed WeCenter (pincong-wecenter) through its own models.
 *
 * Usage: php wecenter_seed.php <site dir>   (the spec as JSON on stdin)
 *
 * Boots the application the way index.php does (system/init.php without dispatching a
 * request), then: site options through the setting model, users through the register
 * model, questions (with topics), answers and answer discussions through the publish
 * model. The publish model stamps fake_time() (the day, blurred); the corpus times are
 * then written into add_time, as an import would. Prints the questions and answers back
 * from the database as one JSON line: the ground truth.
 */
$site = rtrim($argv[1], '/');
chdir($site);
$_SERVER['SCRIPT_NAME'] = '/index.php';
$_SERVER['HTTP_HOST'] = '127.0.0.1';
$_SERVER['REQUEST_URI'] = '/';
$_SERVER['REMOTE_ADDR'] = '127.0.0.1';
$spec = json_decode(stream_get_contents(STDIN), true);

// system/init.php up to AWS_APP::run(): the same bootstrap, no request dispatched
$init = file_get_contents($site . '/system/init.php');
$init = str_replace('AWS_APP::run();', '', $init);
$init = str_replace("dirname(__FILE__)", "'" . $site . "/system'", $init);
eval('?>' . $init);
$boot = new ReflectionMethod('AWS_APP', 'init');
$boot->setAccessible(true);
$boot->invoke(null);

AWS_APP::model('setting')->set_vars($spec['options']);
S::init();

$uids = array();
foreach ($spec['users'] as $name) {
    $user = AWS_APP::model('account')->get_user_info_by_username($name);
    $uids[$name] = $user ? $user['uid'] : AWS_APP::model('register')->register($name, 'fc-pw-' . md5($name), 'salt', '', '');
    if (!$uids[$name]) { fwrite(STDERR, "could not register $name\n"); exit(1); }
}

$db = AWS_APP::model('setting');  // (any model: its insert/update/query helpers)
$prefix = AWS_APP::config()->get('database')->prefix;
$out = array();
foreach ($spec['questions'] as $q) {
    $first = $q['posts'][0];
    $qid = AWS_APP::model('publish')->publish_question(array(
        'uid' => $uids[$first['author']], 'title' => $q['title'], 'message' => $first['text'],
        'category_id' => 1, 'topics' => $q['topics'], 'permission_inactive_user' => true), $uids[$first['author']], 0);
    if (!$qid) { fwrite(STDERR, "could not post {$q['title']}\n"); exit(1); }
    $db->update('question', array('add_time' => $first['time'], 'update_time' => $first['time']), ['id', 'eq', $qid, 'i']);
    $last_answer = 0;
    foreach (array_slice($q['posts'], 1) as $p) {
        $uid = $uids[$p['author']];
        if ($p['type'] == 'C' && $last_answer) {
            $id = AWS_APP::model('publish')->publish_answer_discussion(array(
                'uid' => $uid, 'parent_id' => $last_answer, 'message' => $p['text'], 'permission_inactive_user' => true), $uid, 0);
            $db->update('question_discussion', array('add_time' => $p['time']), ['id', 'eq', $id, 'i']);
        } else {
            $id = AWS_APP::model('publish')->publish_answer(array(
                'uid' => $uid, 'parent_id' => $qid, 'message' => $p['text'], 'permission_inactive_user' => true), $uid, 0, false);
            $db->update('question_reply', array('add_time' => $p['time']), ['id', 'eq', $id, 'i']);
            $last_answer = $id;
        }
        if (!$id) { fwrite(STDERR, "could not answer in $qid\n"); exit(1); }
    }
    $row = $db->query_all("SELECT q.id, q.title, q.message, q.add_time, u.user_name FROM {$prefix}question q JOIN {$prefix}users u ON u.uid = q.uid WHERE q.id = " . intval($qid))[0];
    $row['answers'] = $db->query_all("SELECT r.id, r.message, r.add_time, r.reputation, r.agree_count, u.user_name FROM {$prefix}question_reply r JOIN {$prefix}users u ON u.uid = r.uid WHERE r.parent_id = " . intval($qid) . " ORDER BY r.id");
    $row['discussions'] = $db->query_all("SELECT d.id, d.parent_id, d.message, d.add_time, u.user_name FROM {$prefix}question_discussion d JOIN {$prefix}question_reply r ON r.id = d.parent_id JOIN {$prefix}users u ON u.uid = d.uid WHERE r.parent_id = " . intval($qid) . " ORDER BY d.id");
    $out[] = $row;
}
echo json_encode(array('questions' => $out), JSON_UNESCAPED_UNICODE), "\n";
