<?php
/*
 * forumcrawl test seeder for a freshly installed Question2Answer (run with php-cli
 * from the site root). Reads a JSON spec (options, users, categories, questions) on
 * stdin and writes it through Q2A's own code: qa_create_new_user, qa_post_create
 * (questions with tags and a category, answers, comments), qa_vote_set,
 * qa_post_set_selchildid. Posting times are then set in ^posts (Q2A stamps NOW()).
 * Prints the ground truth read back from the engine's posts table as JSON on stdout.
 */
error_reporting(E_ERROR | E_PARSE);
$_SERVER['REMOTE_ADDR'] = '127.0.0.1';
$_SERVER['HTTP_HOST'] = '127.0.0.1';
chdir($argv[1]);
require_once './qa-include/qa-base.php';
require_once QA_INCLUDE_DIR . 'app/posts.php';
require_once QA_INCLUDE_DIR . 'app/users-edit.php';
require_once QA_INCLUDE_DIR . 'app/votes.php';
require_once QA_INCLUDE_DIR . 'app/options.php';
require_once QA_INCLUDE_DIR . 'db/admin.php';

$spec = json_decode(file_get_contents('php://stdin'), true);
foreach ($spec['options'] as $name => $value) {
    qa_set_option($name, $value);
}

$userids = array();
foreach ($spec['users'] as $i => $handle) {
    $userid = qa_handle_to_userid($handle);
    if (!isset($userid)) {
        $userid = qa_create_new_user("user$i@example.org", "fc-seed-pw-$i", $handle, QA_USER_LEVEL_BASIC, true);
    }
    $userids[$handle] = $userid;
}

$categoryids = array();
foreach ($spec['categories'] as $slug => $title) {
    $categoryids[$slug] = qa_db_category_create(null, $title, $slug);
}

function fc_stamp($postid, $time) {
    qa_db_query_sub('UPDATE ^posts SET created=FROM_UNIXTIME(#) WHERE postid=#', $time, $postid);
}

function fc_vote($postid, $voters, $vote) {
    global $userids;
    foreach ($voters as $handle) {
        $post = qa_post_get_full($postid);
        qa_vote_set($post, $userids[$handle], $handle, null, $vote);
    }
}

$questionids = array();
foreach ($spec['questions'] as $q) {
    $first = $q['posts'][0];
    $qid = qa_post_create('Q', null, $q['title'], $first['text'], '', $categoryids[$q['category']], $q['tags'],
                          $userids[$first['author']]);
    fc_stamp($qid, $first['time']);
    fc_vote($qid, $first['up'], 1);
    $ids = array($qid);
    foreach (array_slice($q['posts'], 1) as $p) {
        $parent = $p['type'] == 'C' ? $ids[$p['on']] : $qid;
        $pid = qa_post_create($p['type'], $parent, null, $p['text'], '', null, null, $userids[$p['author']]);
        fc_stamp($pid, $p['time']);
        fc_vote($pid, $p['up'], 1);
        $ids[] = $pid;
    }
    if (isset($q['selected'])) {
        qa_post_set_selchildid($qid, $ids[$q['selected']], $userids[$first['author']]);
    }
    $questionids[] = $qid;
}
qa_db_query_sub('UPDATE ^posts SET updated=NULL');

$out = array('questions' => array());
foreach ($questionids as $qid) {
    $q = qa_db_read_one_assoc(qa_db_query_sub('SELECT postid, title, categoryid, tags, selchildid FROM ^posts WHERE postid=#', $qid));
    $posts = qa_db_read_all_assoc(qa_db_query_sub(
        'SELECT p.postid, p.type, p.parentid, u.handle, UNIX_TIMESTAMP(p.created) AS created, p.content, p.netvotes ' .
        'FROM ^posts p JOIN ^users u ON u.userid = p.userid ' .
        'WHERE p.postid=# OR p.parentid=# OR p.parentid IN (SELECT postid FROM ^posts WHERE parentid=# AND type=\'A\') ' .
        'ORDER BY p.postid', $qid, $qid, $qid));
    $q['posts'] = $posts;
    $out['questions'][] = $q;
}
echo json_encode($out, JSON_UNESCAPED_UNICODE), "\n";
